// Real-time response (issue #5): alerts, tickets, announcements, webhooks and the session timeline.
// Request bodies and queries are zod schemas; responses are plain DTO interfaces.
import { z } from 'zod';
import { CityCode, Id, Text } from './common';
import type { Role } from './auth';

// ───────────── alerts ─────────────

export const AlertRule = z.enum([
  'late_start', // 未按时开播
  'stream_silent', // 断流
  'viewer_drop', // 在线人数骤降
  'order_burst', // 订单激增 (刷单 signal)
  'buyer_repeat', // 同一买家多单 (刷单 signal)
  'member_buyer', // 本队成员下单 (刷单 signal)
  'suspended_live', // 停播整改期间直播
  'overrun', // 超时直播
]);
export type AlertRule = z.infer<typeof AlertRule>;
export type AlertSeverity = 'info' | 'warning' | 'critical';

/**
 * Province-tunable thresholds (Setting 'alerts.thresholds'). Every field has a default, so a partial value
 * (or none) is complete after parsing. Minutes and seconds are whole numbers.
 */
export const AlertThresholds = z.strictObject({
  /** 未按时开播: no event this many minutes after the planned start. */
  lateStartMinutes: z.number().int().min(1).max(120).default(5),
  /** 断流: no event for this many seconds while live. */
  silentSeconds: z.number().int().min(30).max(1800).default(120),
  /** Online viewers fell by at least this fraction … */
  viewerDropRatio: z.number().min(0.1).max(0.95).default(0.5),
  /** … within this many seconds … */
  viewerDropWindowSeconds: z.number().int().min(20).max(600).default(60),
  /** … from a peak of at least this many viewers (small rooms flicker). */
  viewerDropMinPeak: z.number().int().min(1).max(100_000).default(20),
  /** Order burst: orders in the last minute above max(burstMinOrders, burstFactor × the session's own average per minute). */
  burstMinOrders: z.number().int().min(1).max(10_000).default(10),
  burstFactor: z.number().min(1).max(100).default(5),
  /** One buyerRef with at least this many orders in the session. */
  repeatBuyerOrders: z.number().int().min(2).max(1000).default(5),
  /** Orders from the team's own members (buyerRef = sha256 of their phone) before alerting. */
  memberBuyerOrders: z.number().int().min(1).max(1000).default(1),
  /** Overrun: still on air this many minutes after the planned end. */
  overrunMinutes: z.number().int().min(0).max(240).default(0),
});
export type AlertThresholds = z.infer<typeof AlertThresholds>;

export interface AlertDto {
  id: number;
  key: string;
  rule: AlertRule;
  severity: AlertSeverity;
  sessionId: number | null;
  teamId: number | null;
  teamName?: string;
  cityCode: string;
  message: string;
  details: Record<string, unknown> | null;
  openedAt: string;
  updatedAt: string;
  clearedAt: string | null;
}

export const AlertListQuery = z.object({
  open: z.enum(['true', 'false']).optional(),
  cityCode: CityCode.optional(),
  sessionId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(2000).default(500),
});

// ───────────── tickets ─────────────

export const TicketKind = z.enum(['equipment', 'network', 'account', 'product', 'compliance', 'other']);
export const TicketStatus = z.enum(['open', 'claimed', 'acknowledged', 'resolved']);
export type TicketStatus = z.infer<typeof TicketStatus>;

export const TicketCreate = z.strictObject({
  kind: TicketKind,
  text: Text(500),
  sessionId: Id.optional(),
});
export const TicketComment = z.strictObject({ text: Text(500) });
export const TicketResolve = z.strictObject({ text: Text(500).optional() });
export const TicketListQuery = z.object({
  status: TicketStatus.optional(),
  cityCode: CityCode.optional(),
  sessionId: Id.optional(),
  limit: z.coerce.number().int().min(1).max(2000).default(500),
});
export const TicketStatsQuery = z.object({ cityCode: CityCode.optional() });

/** Setting 'tickets.sla': minutes to acknowledge and to resolve, counted from opening (or the last reopening). */
export const TicketSla = z.strictObject({
  ackMinutes: z.number().int().min(1).max(24 * 60).default(5),
  resolveMinutes: z.number().int().min(1).max(7 * 24 * 60).default(30),
});
export type TicketSla = z.infer<typeof TicketSla>;

/** What GET and PUT /alerts/thresholds and /tickets/sla answer: the value with every default filled in. */
export interface ResponseSettingDto<T> {
  key: string;
  value: T;
  /** True while the province never saved it and the contract's defaults apply. */
  isDefault: boolean;
  updatedAt: string | null;
}

export interface TicketStepDto {
  id: number;
  kind: 'opened' | 'claimed' | 'acknowledged' | 'comment' | 'resolved' | 'reopened';
  text: string | null;
  by: number;
  /** The role of whoever took the step (a comment from the team or from staff); null when the account is gone. */
  byRole?: Role | null;
  at: string;
}

export interface TicketDto {
  id: number;
  teamId: number;
  teamName?: string;
  cityCode: string;
  sessionId: number | null;
  kind: z.infer<typeof TicketKind>;
  text: string;
  status: TicketStatus;
  openedBy: number;
  claimedBy: number | null;
  openedAt: string;
  claimedAt: string | null;
  acknowledgedAt: string | null;
  resolvedAt: string | null;
  ackDueAt: string;
  resolveDueAt: string;
  late: 'ack' | 'resolve' | null;
  steps?: TicketStepDto[];
}

export interface TicketCityStats {
  cityCode: string;
  open: number;
  late: number;
  /** Medians over the tickets that reached the step; null when none did. */
  medianAckMs: number | null;
  medianResolveMs: number | null;
}

/** What `ticket:updated` carries: the ticket after the step, and the step. */
export interface TicketUpdate {
  ticket: TicketDto;
  step: TicketStepDto;
}

// ───────────── announcements ─────────────

export const AnnouncementKind = z.enum(['products', 'rules', 'schedule', 'other']);
export const AnnouncementCreate = z.strictObject({
  title: Text(80),
  body: Text(4000),
  kind: AnnouncementKind,
  /** Omitted: every city (province) or the sender's own city (city staff). */
  cityCode: CityCode.optional(),
});

export interface AnnouncementDto {
  id: number;
  title: string;
  body: string;
  kind: z.infer<typeof AnnouncementKind>;
  cityCode: string | null;
  senderRole: 'province' | 'city';
  createdAt: string;
  /** For a team user: when they read it; absent for staff. */
  readAt?: string | null;
}

export interface AnnouncementReadDto {
  userId: number;
  username: string;
  teamId: number;
  teamName: string | null;
  readAt: string;
}

// ───────────── webhooks ─────────────

export const WebhookKind = z.enum(['wecom', 'dingtalk', 'json']);
export const WebhookEvents = z.enum(['alerts', 'tickets']);
/** Only http(s): anything else (file:, ftp:, javascript:) is refused at the boundary. */
export const WebhookUrl = z.url({ protocol: /^https?$/ }).max(500);
export const WebhookCreate = z.strictObject({
  kind: WebhookKind,
  url: WebhookUrl,
  events: z.array(WebhookEvents).min(1).max(2),
  label: Text(60).optional(),
  /** City staff: omitted or their own city. Province: any city, or omitted for every city. */
  cityCode: CityCode.optional(),
});

export interface WebhookDto {
  id: number;
  cityCode: string | null;
  kind: z.infer<typeof WebhookKind>;
  /** Shown without its query string (robot keys live there). */
  url: string;
  events: Array<z.infer<typeof WebhookEvents>>;
  label: string | null;
  createdAt: string;
}

export interface WebhookDeliveryDto {
  id: number;
  event: string;
  ok: boolean;
  statusCode: number | null;
  attempts: number;
  error: string | null;
  at: string;
}

// ───────────── timeline ─────────────

export type TimelineItem =
  | { at: string; kind: 'alert'; event: 'opened' | 'cleared'; alertId: number; rule: AlertRule; severity: AlertSeverity; message: string }
  | { at: string; kind: 'ticket'; event: TicketStepDto['kind']; ticketId: number; ticketKind: z.infer<typeof TicketKind>; text: string | null; by: number }
  | { at: string; kind: 'violation'; event: 'decided' | 'lifted'; violationId: number; decision: string; violationKind: string; reason: string };

// ───────────── sockets ─────────────

export const AlertSync = z.strictObject({ cityCode: CityCode.optional() }).optional();
