// Reading uploaded sheets (xlsx via exceljs, csv via a small RFC 4180 parser) into rows of trimmed strings,
// and writing xlsx downloads. No knowledge of what the columns mean.
import ExcelJS from 'exceljs';
import { invalid } from '../http/errors';

export interface Grid {
  /** Rows as the sheet numbers them: rows[0] is sheet row 1 (the header). */
  rows: string[][];
}

/**
 * RFC 4180 CSV: quoted fields with "" escapes and line breaks inside quotes; CRLF, LF or lone CR line ends;
 * a leading byte-order mark is dropped. A trailing line break does not make an empty last row.
 */
export function parseCsv(text: string): string[][] {
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  while (i < s.length) {
    const c = s[i]!;
    if (quoted) {
      if (c === '"') {
        if (s[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      quoted = true;
      i++;
    } else if (c === ',') {
      endField();
      i++;
    } else if (c === '\r') {
      endRow();
      i += s[i + 1] === '\n' ? 2 : 1;
    } else if (c === '\n') {
      endRow();
      i++;
    } else {
      // A stray quote inside an unquoted field is kept as text, as spreadsheet programs do.
      field += c;
      i++;
    }
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (field !== '' || row.length > 0) endRow();
  return rows;
}

/** UTF-8 when it decodes cleanly, else GB18030: Excel on Chinese Windows saves "CSV" in the ANSI code page. */
export function decodeText(buf: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return new TextDecoder('gb18030').decode(buf);
  }
}

/** One cell as text: rich text joined, formulas by their result, dates as Shanghai yyyy-mm-dd, integers without '.0'. */
export function cellText(v: ExcelJS.CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? v.toFixed(0) : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) return new Date(v.getTime() + 8 * 3600_000).toISOString().slice(0, 10);
  if ('richText' in v) return v.richText.map((r) => r.text).join('');
  if ('formula' in v || 'sharedFormula' in v) {
    const result = (v as ExcelJS.CellFormulaValue).result;
    return result === undefined || (typeof result === 'object' && !(result instanceof Date)) ? '' : cellText(result);
  }
  if ('hyperlink' in v) return typeof v.text === 'string' ? v.text : '';
  if ('error' in v) return '';
  return '';
}

const trimRows = (rows: string[][]): string[][] => {
  const out = rows.map((r) => r.map((c) => c.replace(/\u00a0/g, ' ').trim()));
  // Trailing blank rows (Excel keeps formatted but empty ones) are not data.
  while (out.length && out[out.length - 1]!.every((c) => c === '')) out.pop();
  return out;
};

export type SheetFormat = 'xlsx' | 'csv';

/**
 * The first sheet that is not a 说明 (instructions) sheet, as text rows. Throws VALIDATION_FAILED on a file
 * that cannot be read and on more than `maxRows` data rows.
 */
export async function readGrid(buf: Buffer, format: SheetFormat, maxRows: number, maxCols = 40): Promise<Grid> {
  let rows: string[][];
  if (format === 'csv') {
    try {
      rows = parseCsv(decodeText(buf));
    } catch (e) {
      throw invalid(`The CSV file cannot be read: ${e instanceof Error ? e.message : 'malformed'}`);
    }
  } else {
    const wb = new ExcelJS.Workbook();
    try {
      // exceljs types its input as an ArrayBuffer; hand it exactly the upload's bytes.
      await wb.xlsx.load(new Uint8Array(buf).buffer);
    } catch {
      throw invalid('The file is not a readable .xlsx workbook');
    }
    const ws = wb.worksheets.find((w) => !/说明|instructions?/i.test(w.name)) ?? wb.worksheets[0];
    if (!ws) throw invalid('The workbook has no sheet');
    if (ws.rowCount > maxRows + 1 + 200) throw invalid(`At most ${maxRows} rows per file`);
    rows = [];
    const width = Math.min(ws.columnCount, maxCols);
    for (let r = 1; r <= ws.rowCount; r++) {
      const row = ws.getRow(r);
      const cells: string[] = [];
      for (let c = 1; c <= width; c++) cells.push(cellText(row.getCell(c).value));
      rows.push(cells);
    }
  }
  rows = trimRows(rows);
  if (rows.length - 1 > maxRows) throw invalid(`At most ${maxRows} rows per file`);
  return { rows: rows.map((r) => r.slice(0, maxCols)) };
}

/** An instant as Shanghai wall-clock text for a sheet cell, 'yyyy-mm-dd hh:mm'. */
export const shanghaiText = (d: Date | null) => (d ? new Date(d.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ') : null);

/** A cell: a plain value, or a number with its own format (a money row in a label/value sheet). */
export type SheetCell = string | number | null | { value: number; numFmt: string };

export interface SheetSpec {
  name: string;
  /** `numFmt`: a number format for the column's cells, e.g. '#,##0.00' for yuan. */
  columns: { header: string; width?: number; text?: boolean; numFmt?: string }[];
  rows: SheetCell[][];
}

/** An xlsx workbook with a bold, frozen header row per sheet. */
export async function writeWorkbook(sheets: SheetSpec[]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'ganyou-live-ops';
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name, { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = s.columns.map((c) => ({ header: c.header, width: c.width ?? Math.max(10, c.header.length * 2 + 4) }));
    s.columns.forEach((c, i) => {
      if (c.text) ws.getColumn(i + 1).numFmt = '@';
      else if (c.numFmt) ws.getColumn(i + 1).numFmt = c.numFmt;
    });
    ws.getRow(1).font = { bold: true };
    for (const r of s.rows) {
      const row = ws.addRow(r.map((c) => (c !== null && typeof c === 'object' ? c.value : c)));
      r.forEach((c, i) => {
        if (c !== null && typeof c === 'object') row.getCell(i + 1).numFmt = c.numFmt;
      });
    }
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}
