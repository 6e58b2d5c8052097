// The hub words import errors and refusals in English (stable codes exist only for schedule problems). For
// Chinese-speaking staff the known phrasings are put into Chinese here; anything else shows as sent.
import type { AppLocale } from '@/i18n';

type Rule = [RegExp, (m: RegExpExecArray) => string];

const q = (s: string | undefined) => `“${s ?? ''}”`;

const ZH: Rule[] = [
  // registration and shop sheets (附件1/附件2)
  [/^missing column (.+)$/, (m) => `缺少“${m[1]}”列`],
  [/^the sheet has no data rows$/, () => '表格中没有数据行'],
  [/^unknown university “(.+)”; add it under universities first$/, (m) => `高校${q(m[1])}尚未登记，请先登记该高校`],
  [/^“(.+)” is not in your city$/, (m) => `${q(m[1])}不属于本赛区`],
  [/^team “(.+)” is listed with another university on row (\d+)$/, (m) => `团队${q(m[1])}在第 ${m[2]} 行填写了不同的高校`],
  [/^differs from row (\d+) of the same team$/, (m) => `与同一团队第 ${m[1]} 行填写的不一致`],
  [/^team “(.+)” is already registered in this city$/, (m) => `团队${q(m[1])}已在本赛区报名`],
  [/^student number also on row (\d+)$/, (m) => `学号与第 ${m[1]} 行重复`],
  [/^already a member of team “(.+)”$/, (m) => `已是团队${q(m[1])}的成员`],
  [/^a team has one 队长$/, () => '每个团队只能有一名队长'],
  [/^no team “(.+)”( in your city)?$/, (m) => `${m[2] ? '本赛区' : ''}没有团队${q(m[1])}`],
  [/^several cities have a team “(.+)”; fill in its university$/, (m) => `多个赛区都有团队${q(m[1])}，请填写所属高校`],
  [/^team also on row (\d+)$/, (m) => `团队与第 ${m[1]} 行重复`],
  [/^shop id also on row (\d+)$/, (m) => `小店 ID 与第 ${m[1]} 行重复`],
  [/^shop id already registered to team “(.+)”$/, (m) => `小店 ID 已登记给团队${q(m[1])}`],
  [/^one of 队长, 主播, 运营, 其他$/, () => '须填写 队长、主播、运营 或 其他'],
  [/^是 or 否$/, () => '须填写“是”或“否”'],
  [/^4–32 letters, digits or dashes$/, () => '须为 4–32 位字母、数字或短横线'],
  [/^letters, digits, _ or -$/, () => '只能包含字母、数字、_ 或 -'],
  [/^an 11-digit mobile number$/, () => '须为 11 位手机号'],
  [/^Too small: expected string to have >=?1 characters?$/, () => '不能为空'],
  [/^Too big: expected string to have <=?(\d+) characters$/, (m) => `不能超过 ${m[1]} 个字`],
  [/^Too small: expected number to be >=?(-?[\d.]+)$/, (m) => `不能小于 ${m[1]}`],
  [/^Too big: expected number to be <=?(-?[\d.]+)$/, (m) => `不能大于 ${m[1]}`],
  [/^Invalid input: expected int, received number$/, () => '须为整数'],
  [/^Invalid input(: .*)?$/, () => '填写有误'],
  [/^Invalid URL$/, () => '链接格式不正确（须以 http:// 或 https:// 开头）'],
  [/^at least 5 characters$/, () => '至少 5 个字'],
  // refusals met on these screens
  [/^Request validation failed$/, () => '请按标红的提示修改后重新提交'],
  [/^The schedule of stage “(.+)” locked at (.+) \(Asia\/Shanghai\); ask the province to change it$/, (m) => `“${m[1]}”的排期已于 ${m[2]} 锁定，请联系省分公司调整`],
  [/^The schedule locked at (.+); give a reason of at least (\d+) characters$/, (m) => `排期已于 ${m[1]} 锁定，调整须填写至少 ${m[2]} 个字的原因`],
  [/^Only a submitted checklist can be approved/, () => '只有待审核的清单可以审核通过'],
  [/^Only a submitted or approved checklist can be returned/, () => '只有待审核或已通过的清单可以退回'],
  [/^Items not ok: .*; return the checklist instead$/, () => '有项目不合格，只能退回修改'],
  [/^The session is (\w+); its checklist can no longer change$/, () => '该场次已结束或已取消，清单不能再修改'],
  [/^Only the team itself submits its pre-live checklist$/, () => '管控清单只能由团队自己提交'],
  [/^Some placements cannot be set$/, () => '部分名次不能设置，请看下方说明'],
  [/^Verify the member’s identity before filing them as an anchor$/, () => '请先通过该成员的身份核验，再办理主播备案'],
  [/^The member is not on camera, so no anchor filing is needed$/, () => '该成员不出镜，无需主播备案'],
  [/^say why the identity check failed$/, () => '请写明身份核验不通过的原因'],
  [/^say why the filing was rejected$/, () => '请写明备案未通过的原因'],
  [/^Only (\d+) (.+) outstanding; cannot return (\d+)$/, (m) => `该团队只有 ${m[1]} ${m[2]} 未归还，不能归还 ${m[3]}`],
  [/^The training has not taken place yet$/, () => '培训尚未举行'],
  [/^Only the province disqualifies a team$/, () => '取消资格只能由省分公司决定'],
  [/^The suspension was already lifted$/, () => '该停播整改已解除'],
  [/^Import preview \(unknown or expired\) not found$/, () => '检查结果已过期，请重新上传文件'],
  [/^The file is empty$/, () => '文件是空的'],
  [/^The file is not a readable \.xlsx workbook$/, () => '无法读取该 .xlsx 文件'],
  [/^At most (\d+) rows per file$/, (m) => `每个文件最多 ${m[1]} 行`],
  [/^The session changed meanwhile; reload and try again$/, () => '场次刚被他人修改，请刷新后重试'],
  [/^The checklist changed meanwhile; reload and try again$/, () => '清单刚被他人修改，请刷新后重试'],
  [/^Only a scheduled session can be (changed|cancelled) \(it is (\w+)\)/, (m) => `只有“已排期”的场次可以${m[1] === 'changed' ? '调整' : '取消'}`],
  [/^The request was already (\w+)$/, () => '该申请已处理'],
];

export function localizeServerText(text: string, locale: AppLocale): string {
  if (locale !== 'zh-CN' || !text) return text;
  for (const [pattern, render] of ZH) {
    const m = pattern.exec(text);
    if (m) return render(m);
  }
  return text;
}
