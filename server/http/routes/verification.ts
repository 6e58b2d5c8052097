// 身份核实 and 主播备案: city staff (or the province) record each member's identity check and each on-camera
// member's filing, stamped with who and when; and whether a team is eligible to go live.
import { IdParam } from '../../../contracts/common';
import { FilingDecision, IdentityDecision, type EligibilityDto } from '../../../contracts/ops';
import type { MemberDto } from '../../../contracts/registry';
import { canEditTeam, canViewTeam, type Actor } from '../../domain/permissions';
import { teamEligibility } from '../../domain/registration';
import { memberDto } from '../../services/dto';
import { audit } from '../../services/audit';
import { conflict, forbidden, notFound } from '../errors';
import { ApiRouter, actorOf } from '../router';
import type { AppContext } from '../context';

type MemberRow = Parameters<typeof memberDto>[1] & {
  identityCheckedBy: number | null; identityNote: string | null; anchorFiledBy: number | null; anchorFilingNote: string | null;
};

export interface VerifiedMemberDto extends MemberDto {
  identityCheckedBy: number | null;
  identityNote: string | null;
  anchorFiledBy: number | null;
  anchorFilingNote: string | null;
}

const verifiedDto = (a: Actor, m: MemberRow, team: { id: number; cityCode: string }): VerifiedMemberDto => ({
  ...memberDto(a, m, team),
  identityCheckedBy: m.identityCheckedBy,
  identityNote: m.identityNote,
  anchorFiledBy: m.anchorFiledBy,
  anchorFilingNote: m.anchorFilingNote,
});

export function verificationRoutes(ctx: AppContext): ApiRouter {
  const r = new ApiRouter('/api/v1');
  const { prisma } = ctx.db;

  const loadMember = async (a: Actor, id: number) => {
    const m = await prisma.member.findUnique({ where: { id }, include: { team: { select: { id: true, cityCode: true } } } });
    if (!m) throw notFound('Member');
    if (!canEditTeam(a, m.team)) throw forbidden();
    return m;
  };

  r.patch('/members/:id/identity', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const body = IdentityDecision.parse(req.body);
    const { team, ...before } = await loadMember(a, id);
    const after = await prisma.$transaction(async (tx) => {
      const m = await tx.member.update({
        where: { id },
        data: { identityStatus: body.status, identityCheckedBy: a.id, identityCheckedAt: new Date(ctx.clock.now()), identityNote: body.note ?? null },
      });
      await audit(tx, a, { action: 'member.identity', entity: 'Member', entityId: id, cityCode: team.cityCode, before, after: m, reason: body.note ?? null });
      return m;
    });
    return verifiedDto(a, after, team);
  });

  r.patch('/members/:id/filing', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const body = FilingDecision.parse(req.body);
    const { team, ...before } = await loadMember(a, id);
    if (!before.onCamera) throw conflict('The member is not on camera, so no anchor filing is needed');
    // The group files a real, checked person: identity first, then the filing.
    if (body.status === 'filed' && before.identityStatus !== 'verified') throw conflict('Verify the member’s identity before filing them as an anchor');
    const after = await prisma.$transaction(async (tx) => {
      const m = await tx.member.update({
        where: { id },
        data: { anchorFiling: body.status, anchorFiledBy: a.id, anchorFiledAt: new Date(ctx.clock.now()), anchorFilingNote: body.note ?? null },
      });
      await audit(tx, a, { action: 'member.filing', entity: 'Member', entityId: id, cityCode: team.cityCode, before, after: m, reason: body.note ?? null });
      return m;
    });
    return verifiedDto(a, after, team);
  });

  /** Whether the team may go live: its members' checks and its own standing. */
  r.get('/teams/:id/eligibility', 'signed-in', async (req) => {
    const a = actorOf(req);
    const { id } = IdParam.parse(req.params);
    const t = await prisma.team.findUnique({
      where: { id },
      select: { id: true, cityCode: true, status: true, members: { select: { id: true, name: true, onCamera: true, identityStatus: true, anchorFiling: true } } },
    });
    if (!t) throw notFound('Team');
    if (!canViewTeam(a, t)) throw forbidden();
    const e = teamEligibility(t.members);
    const standing = t.status === 'active' ? [] : [{ code: 'team_not_active' as const, message: `the team is ${t.status}` }];
    const reasons = [...standing, ...e.reasons];
    const out: EligibilityDto = { teamId: t.id, teamStatus: t.status, ok: reasons.length === 0, reasons };
    return out;
  });

  return r;
}
