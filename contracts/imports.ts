// Registration import/export (附件1 报名表, 附件2 邮乐小店): the sheet columns, the row schemas and the preview answer.
import { z } from 'zod';
import { Phone, Text } from './common';

export const ImportKind = z.enum(['registration', 'shops']);
export type ImportKind = z.infer<typeof ImportKind>;
export const ImportKindParam = z.object({ kind: ImportKind });
export const ImportCommit = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/) });

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const CSV_TYPE = 'text/csv';
/** Upload ceiling; a full province's registration is well under 1 MB. */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024;
export const MAX_IMPORT_ROWS = 5000;

/** A column: its field, the header the template writes, and other headers people type for it. */
export interface ColumnSpec {
  field: string;
  header: string;
  aliases: string[];
  required: boolean;
  /** Text format in the template, so Excel keeps leading zeros and long digits. */
  text?: boolean;
  example: string;
}

export const REGISTRATION_COLUMNS: ColumnSpec[] = [
  { field: 'teamName', header: '团队名称', aliases: ['队伍名称', '团队', 'team', 'teamname'], required: true, example: '赣鄱新农人' },
  { field: 'university', header: '所属高校', aliases: ['高校', '学校', '高校名称', 'university'], required: true, example: '南昌大学' },
  { field: 'contactName', header: '团队联系人', aliases: ['联系人', 'contact', 'contactname'], required: false, example: '张三' },
  { field: 'contactPhone', header: '联系人手机', aliases: ['联系电话', '联系人电话', 'contactphone'], required: false, text: true, example: '13800001111' },
  { field: 'name', header: '成员姓名', aliases: ['姓名', 'name', 'membername'], required: true, example: '张三' },
  { field: 'studentNo', header: '学号', aliases: ['studentno', 'student_no'], required: true, text: true, example: '20210001' },
  { field: 'role', header: '角色', aliases: ['成员角色', '分工', 'role'], required: true, example: '队长' },
  { field: 'onCamera', header: '是否出镜', aliases: ['出镜', 'oncamera'], required: false, example: '是' },
  { field: 'phone', header: '成员手机', aliases: ['手机', '手机号', '手机号码', 'phone'], required: false, text: true, example: '13800001111' },
];

export const SHOP_COLUMNS: ColumnSpec[] = [
  { field: 'teamName', header: '团队名称', aliases: ['队伍名称', '团队', 'team', 'teamname'], required: true, example: '赣鄱新农人' },
  { field: 'university', header: '所属高校', aliases: ['高校', '学校', 'university'], required: false, example: '南昌大学' },
  { field: 'youleShopId', header: '邮乐小店ID', aliases: ['小店id', '邮乐小店', '店铺id', 'shopid', 'youleshopid'], required: true, text: true, example: 'YL12345678' },
  { field: 'phone', header: '注册手机号', aliases: ['注册手机', '手机号', '手机', 'phone'], required: true, text: true, example: '13800001111' },
];

export const ROLE_WORDS: Record<string, 'leader' | 'anchor' | 'operator' | 'support'> = {
  队长: 'leader',
  主播: 'anchor',
  运营: 'operator',
  场控: 'operator',
  其他: 'support',
  leader: 'leader',
  anchor: 'anchor',
  operator: 'operator',
  support: 'support',
};

const Cell = z.string().trim();
const Blank = z.literal('').transform(() => null);

export const RegistrationRow = z.object({
  teamName: Text(60),
  university: Text(60),
  contactName: z.union([Blank, Text(40)]),
  contactPhone: z.union([Blank, Phone]),
  name: Text(40),
  studentNo: Cell.regex(/^[A-Za-z0-9-]{4,32}$/, '4–32 letters, digits or dashes'),
  role: Cell.transform((v, c) => {
    const w = v.toLowerCase();
    // Own keys only: a cell reading "constructor" must not find Object.prototype's.
    const r = Object.hasOwn(ROLE_WORDS, w) ? ROLE_WORDS[w] : undefined;
    if (!r) c.addIssue({ code: 'custom', message: 'one of 队长, 主播, 运营, 其他' });
    return r ?? 'support';
  }),
  onCamera: Cell.transform((v, c) => {
    const s = v.toLowerCase();
    if (s === '') return null; // defaulted from the role
    if (['是', 'y', 'yes', 'true', '1'].includes(s)) return true;
    if (['否', 'n', 'no', 'false', '0'].includes(s)) return false;
    c.addIssue({ code: 'custom', message: '是 or 否' });
    return false;
  }),
  phone: z.union([Blank, Phone]),
});
export type RegistrationRow = z.infer<typeof RegistrationRow>;

export const ShopRow = z.object({
  teamName: Text(60),
  university: z.union([Blank, Text(60)]),
  youleShopId: Cell.regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ or -'),
  phone: Phone,
});
export type ShopRow = z.infer<typeof ShopRow>;

export interface ImportError {
  /** The row as the spreadsheet numbers it (the header is row 1). */
  row: number;
  /** The column's header as the template writes it. */
  column: string;
  message: string;
}

export interface ImportPreview {
  kind: ImportKind;
  rows: number;
  errors: ImportError[];
  /** Errors beyond the first 500 are counted, not listed. */
  errorCount: number;
  summary: Record<string, number>;
  /** Present only when there are no errors: commit it within 30 minutes. */
  token: string | null;
  expiresAt: string | null;
}

export interface ImportResult {
  kind: ImportKind;
  rows: number;
  summary: Record<string, number>;
}
