// Registry contracts: cities, universities, teams, members, OMS accounts.
import { z } from 'zod';
import { CityCode, Id, OptionalText, Phone, Text } from './common';

export const UniversityRole = z.enum(['organiser', 'co_organiser', 'participant']);
export const TeamStatus = z.enum(['active', 'suspended', 'disqualified', 'withdrawn']);
export const MemberRole = z.enum(['leader', 'anchor', 'operator', 'support']);
export const CheckStatus = z.enum(['pending', 'verified', 'rejected']);
export const FilingStatus = z.enum(['not_required', 'pending', 'filed', 'rejected']);
export const AccountStatus = z.enum(['unchecked', 'ok', 'problem', 'disabled']);

export interface CityDto {
  code: string;
  name: string;
  short: string;
  nameEn: string;
  lat: number;
  lng: number;
  contactName: string | null;
  contactPhone: string | null;
  contactReportedAt: string | null;
  teamCount?: number;
}

export const CityContactUpdate = z.object({
  contactName: Text(40),
  contactPhone: Phone,
});

export interface UniversityDto {
  id: number;
  name: string;
  cityCode: string;
  role: z.infer<typeof UniversityRole>;
  joinedAt: string | null;
}

export const UniversityCreate = z.object({
  name: Text(60),
  cityCode: CityCode,
  role: UniversityRole.default('participant'),
});
export const UniversityUpdate = z.object({ role: UniversityRole });

export interface TeamDto {
  id: number;
  name: string;
  cityCode: string;
  universityId: number;
  universityName?: string;
  youleShopId: string | null;
  /** Masked (138****1234) for anyone below province unless it is their own team. */
  phone: string | null;
  contactName: string | null;
  contactPhone: string | null;
  status: z.infer<typeof TeamStatus>;
  memberCount?: number;
}

export const TeamCreate = z.object({
  name: Text(60),
  cityCode: CityCode,
  universityId: Id,
  youleShopId: z.string().trim().regex(/^[A-Za-z0-9_-]{1,40}$/).optional().nullable(),
  phone: Phone.optional().nullable(),
  contactName: OptionalText(40),
  contactPhone: Phone.optional().nullable(),
});
export const TeamUpdate = TeamCreate.omit({ cityCode: true }).partial();

export interface MemberDto {
  id: number;
  teamId: number;
  name: string;
  studentNo: string;
  role: z.infer<typeof MemberRole>;
  onCamera: boolean;
  phone: string | null;
  identityStatus: z.infer<typeof CheckStatus>;
  identityCheckedAt: string | null;
  anchorFiling: z.infer<typeof FilingStatus>;
  anchorFiledAt: string | null;
}

const MemberFields = z.object({
  teamId: Id,
  name: Text(40),
  studentNo: z.string().trim().regex(/^[A-Za-z0-9-]{4,32}$/, '4–32 letters, digits or dashes'),
  role: MemberRole,
  onCamera: z.boolean(),
  phone: Phone.optional().nullable(),
});
export const MemberCreate = MemberFields.extend({
  role: MemberRole.default('support'),
  onCamera: z.boolean().default(false),
});
/** Built without defaults: zod 4 fills defaults even in a partial, which would reset unsent fields. */
export const MemberUpdate = MemberFields.omit({ teamId: true }).partial();

export interface AccountDto {
  id: number;
  cityCode: string;
  accountNo: string;
  label: string;
  status: z.infer<typeof AccountStatus>;
  checkedAt: string | null;
  note: string | null;
}

export const AccountCreate = z.object({
  cityCode: CityCode,
  accountNo: z.string().trim().regex(/^[A-Za-z0-9_-]{3,40}$/),
  label: Text(60),
});
export const AccountUpdate = z.object({
  label: Text(60).optional(),
  status: AccountStatus.optional(),
  note: OptionalText(200),
});
