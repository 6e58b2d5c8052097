// The zh-CN words of outbound notifications (WeCom / DingTalk groups read Chinese); the UI has its own catalogue.
import type { AlertRule, AlertSeverity, TicketDto, TicketStepDto } from '../../contracts/response';
import { HOUR } from '../domain/time';

export const zh = {
  rule: {
    late_start: '未按时开播',
    stream_silent: '断流',
    viewer_drop: '在线人数骤降',
    order_burst: '订单异常激增',
    buyer_repeat: '同一买家多次下单',
    member_buyer: '团队成员下单',
    suspended_live: '停播整改期间开播',
    overrun: '超时直播',
  } satisfies Record<AlertRule, string>,
  severity: { info: '提示', warning: '警告', critical: '严重' } satisfies Record<AlertSeverity, string>,
  ticketKind: {
    equipment: '设备', network: '网络', account: '账号', product: '商品', compliance: '合规', other: '其他',
  } satisfies Record<TicketDto['kind'], string>,
  step: {
    opened: '新工单', claimed: '已认领', acknowledged: '已受理', comment: '新回复', resolved: '已解决', reopened: '重新打开',
  } satisfies Record<TicketStepDto['kind'], string>,
  raised: '告警',
  cleared: '告警解除',
  ticket: '工单',
  session: '场次',
  time: '时间',
} as const;

/** yyyy-mm-dd HH:MM in Asia/Shanghai. */
export function shanghaiTime(isoOrMs: string | number): string {
  const ms = typeof isoOrMs === 'number' ? isoOrMs : Date.parse(isoOrMs);
  return new Date(ms + 8 * HOUR).toISOString().slice(0, 16).replace('T', ' ');
}
