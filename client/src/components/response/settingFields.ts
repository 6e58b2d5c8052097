// The numbers on the province's response settings: which contract field each input edits, in what unit, and
// how the form shows it (a ratio as a percentage). Bounds and defaults are read from the contract's schemas,
// so the hints, the form's checks and the hub's checks are one set of rules.
import type { z } from 'zod';
import { AlertRule, AlertThresholds, TicketSla } from '@contracts/response';
import type { MessageKey } from '@/i18n/useT';

export type Unit = 'minutes' | 'seconds' | 'percent' | 'orders' | 'viewers' | 'times';

export interface NumberField {
  key: string;
  label: MessageKey;
  unit: Unit;
  /** Shown value = stored value × scale (a ratio is edited in percent). */
  scale: number;
  /** Bounds and default in shown units. */
  min: number;
  max: number;
  fallback: number;
  /** Decimals the input keeps; whole numbers when the contract says int. */
  precision: number;
  step: number;
  /** The alert rule the field belongs to, for grouping. */
  rule?: AlertRule;
}

/** Floating ratios (0.55 × 100 = 55.00000000000001) shown as people typed them. */
export const toShown = (value: number, scale: number): number => Math.round(value * scale * 1000) / 1000;
export const toStored = (value: number, scale: number): number => (scale === 1 ? value : Math.round((value / scale) * 100_000) / 100_000);

interface Spec {
  unit: Unit;
  rule?: AlertRule;
  scale?: number;
  step?: number;
  precision?: number;
}

function field(key: string, label: MessageKey, schema: z.ZodDefault<z.ZodNumber>, spec: Spec): NumberField {
  const n = schema.unwrap();
  const scale = spec.scale ?? 1;
  return {
    key,
    label,
    unit: spec.unit,
    scale,
    min: toShown(n.minValue ?? 0, scale),
    max: toShown(n.maxValue ?? Number.MAX_SAFE_INTEGER, scale),
    fallback: toShown(Number(schema.def.defaultValue), scale),
    precision: n.isInt ? 0 : (spec.precision ?? 2),
    step: spec.step ?? 1,
    ...(spec.rule ? { rule: spec.rule } : {}),
  };
}

// A Record over the contract's keys: a threshold added to the contract does not compile until it has an input
// (and a label in the catalogue), so saving the form can never silently drop it back to its default.
const THRESHOLDS: Record<keyof AlertThresholds, Spec> = {
  lateStartMinutes: { unit: 'minutes', rule: 'late_start' },
  silentSeconds: { unit: 'seconds', rule: 'stream_silent', step: 10 },
  viewerDropRatio: { unit: 'percent', rule: 'viewer_drop', scale: 100, step: 5, precision: 1 },
  viewerDropWindowSeconds: { unit: 'seconds', rule: 'viewer_drop', step: 10 },
  viewerDropMinPeak: { unit: 'viewers', rule: 'viewer_drop' },
  burstMinOrders: { unit: 'orders', rule: 'order_burst' },
  burstFactor: { unit: 'times', rule: 'order_burst', step: 0.5, precision: 1 },
  repeatBuyerOrders: { unit: 'orders', rule: 'buyer_repeat' },
  memberBuyerOrders: { unit: 'orders', rule: 'member_buyer' },
  overrunMinutes: { unit: 'minutes', rule: 'overrun' },
};
export const THRESHOLD_FIELDS: readonly NumberField[] = AlertThresholds.keyof().options.map((key) =>
  field(key, `ops.settings.thresholds.${key}`, AlertThresholds.shape[key], THRESHOLDS[key]),
);

const SLA: Record<keyof TicketSla, Spec> = {
  ackMinutes: { unit: 'minutes' },
  resolveMinutes: { unit: 'minutes', step: 5 },
};
export const SLA_FIELDS: readonly NumberField[] = TicketSla.keyof().options.map((key) => field(key, `ops.settings.sla.${key}`, TicketSla.shape[key], SLA[key]));

/** Why a shown value is refused, in terms the form words itself (bounds in shown units). */
export type Problem =
  | { kind: 'required' }
  | { kind: 'number' }
  | { kind: 'int' }
  | { kind: 'min'; bound: number }
  | { kind: 'max'; bound: number }
  | { kind: 'other'; message: string };

export type Checked<T> = { ok: true; value: T } | { ok: false; problems: Map<string, Problem>; other: string[] };

/**
 * Converts the shown numbers to the stored ones and parses them with the contract's schema. An emptied
 * input is sent as null, never left out: left out, the schema would quietly put the default back.
 */
export function checkShown<T>(schema: z.ZodType<T>, fields: readonly NumberField[], shown: Readonly<Record<string, number | null | undefined>>): Checked<T> {
  const body: Record<string, number | null> = {};
  for (const f of fields) {
    const v = shown[f.key];
    body[f.key] = typeof v === 'number' && Number.isFinite(v) ? toStored(v, f.scale) : null;
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data };
  const problems = new Map<string, Problem>();
  const other: string[] = [];
  for (const issue of parsed.error.issues) {
    const f = fields.find((x) => x.key === issue.path[0]);
    if (!f) {
      other.push(issue.message);
      continue;
    }
    if (problems.has(f.key)) continue;
    problems.set(f.key, problemOf(issue, body[f.key] ?? null, f.scale));
  }
  return { ok: false, problems, other };
}

function problemOf(issue: z.core.$ZodIssue, input: number | null, scale: number): Problem {
  switch (issue.code) {
    case 'invalid_type':
      return input === null ? { kind: 'required' } : issue.expected === 'int' ? { kind: 'int' } : { kind: 'number' };
    case 'too_small':
      return { kind: 'min', bound: toShown(Number(issue.minimum), scale) };
    case 'too_big':
      return { kind: 'max', bound: toShown(Number(issue.maximum), scale) };
    default:
      return { kind: 'other', message: issue.message };
  }
}
