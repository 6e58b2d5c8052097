// Row → DTO mappers; the only place that decides which fields leave the hub, and masked how.
import type { AccountDto, CityDto, MemberDto, TeamDto, UniversityDto } from '../../contracts/registry';
import { canSeePhones, maskPhone, type Actor } from '../domain/permissions';

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);

type CityRow = { code: string; name: string; short: string; nameEn: string; lat: number; lng: number; contactName: string | null; contactPhone: string | null; contactReportedAt: Date | null };

export function cityDto(a: Actor, c: CityRow, teamCount?: number): CityDto {
  const staff = a.role === 'province' || (a.role === 'city' && a.cityCode === c.code);
  return {
    code: c.code,
    name: c.name,
    short: c.short,
    nameEn: c.nameEn,
    lat: c.lat,
    lng: c.lng,
    contactName: staff ? c.contactName : null,
    contactPhone: a.role === 'province' ? c.contactPhone : staff ? maskPhone(c.contactPhone) : null,
    contactReportedAt: iso(c.contactReportedAt),
    ...(teamCount !== undefined ? { teamCount } : {}),
  };
}

type UniversityRow = { id: number; name: string; cityCode: string; role: UniversityDto['role']; joinedAt: Date | null };
export const universityDto = (u: UniversityRow): UniversityDto => ({
  id: u.id,
  name: u.name,
  cityCode: u.cityCode,
  role: u.role,
  joinedAt: iso(u.joinedAt),
});

type TeamRow = {
  id: number; name: string; cityCode: string; universityId: number; youleShopId: string | null; phone: string | null;
  contactName: string | null; contactPhone: string | null; status: TeamDto['status'];
  university?: { name: string }; _count?: { members: number };
};

export function teamDto(a: Actor, t: TeamRow): TeamDto {
  const full = canSeePhones(a, t);
  return {
    id: t.id,
    name: t.name,
    cityCode: t.cityCode,
    universityId: t.universityId,
    ...(t.university ? { universityName: t.university.name } : {}),
    youleShopId: t.youleShopId,
    phone: full ? t.phone : maskPhone(t.phone),
    contactName: t.contactName,
    contactPhone: full ? t.contactPhone : maskPhone(t.contactPhone),
    status: t.status,
    ...(t._count ? { memberCount: t._count.members } : {}),
  };
}

type MemberRow = {
  id: number; teamId: number; name: string; studentNo: string; role: MemberDto['role']; onCamera: boolean; phone: string | null;
  identityStatus: MemberDto['identityStatus']; identityCheckedAt: Date | null; anchorFiling: MemberDto['anchorFiling']; anchorFiledAt: Date | null;
};

export function memberDto(a: Actor, m: MemberRow, team: { id: number; cityCode: string }): MemberDto {
  return {
    id: m.id,
    teamId: m.teamId,
    name: m.name,
    studentNo: m.studentNo,
    role: m.role,
    onCamera: m.onCamera,
    phone: canSeePhones(a, team) ? m.phone : maskPhone(m.phone),
    identityStatus: m.identityStatus,
    identityCheckedAt: iso(m.identityCheckedAt),
    anchorFiling: m.anchorFiling,
    anchorFiledAt: iso(m.anchorFiledAt),
  };
}

type AccountRow = { id: number; cityCode: string; accountNo: string; label: string; status: AccountDto['status']; checkedAt: Date | null; note: string | null };
export const accountDto = (x: AccountRow): AccountDto => ({
  id: x.id,
  cityCode: x.cityCode,
  accountNo: x.accountNo,
  label: x.label,
  status: x.status,
  checkedAt: iso(x.checkedAt),
  note: x.note,
});
