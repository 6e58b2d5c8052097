// The stage a summary report covers, kept in the address (?stageId=) so a printed or shared link shows the same
// report; no stageId means the whole contest.
import { computed } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { scheduleApi } from '@/api/schedule';
import { useAsyncData } from './useAsyncData';

export function useReportStage() {
  const route = useRoute();
  const router = useRouter();
  const stages = useAsyncData((signal) => scheduleApi.stages({ signal }));
  const stageId = computed<number | undefined>(() => {
    const n = Number(route.query['stageId']);
    return Number.isInteger(n) && n > 0 ? n : undefined;
  });
  /** '' selects the whole contest (el-select needs a value that is not undefined). */
  const selected = computed<number | ''>({
    get: () => stageId.value ?? '',
    set: (v) => void router.replace({ query: { ...route.query, stageId: v === '' ? undefined : String(v) } }),
  });
  return { stages, stageId, selected };
}
