// Element Plus tag colours for each status, so the same state looks the same on every screen.
import type { AccountDto, MemberDto, TeamDto } from '@contracts/registry';

export type TagType = 'success' | 'warning' | 'danger' | 'info' | 'primary';

export const TEAM_STATUS_TAG: Record<TeamDto['status'], TagType> = {
  active: 'success',
  suspended: 'warning',
  disqualified: 'danger',
  withdrawn: 'info',
};

export const CHECK_STATUS_TAG: Record<MemberDto['identityStatus'], TagType> = {
  pending: 'warning',
  verified: 'success',
  rejected: 'danger',
};

export const FILING_STATUS_TAG: Record<MemberDto['anchorFiling'], TagType> = {
  not_required: 'info',
  pending: 'warning',
  filed: 'success',
  rejected: 'danger',
};

export const ACCOUNT_STATUS_TAG: Record<AccountDto['status'], TagType> = {
  unchecked: 'info',
  ok: 'success',
  problem: 'danger',
  disabled: 'info',
};
