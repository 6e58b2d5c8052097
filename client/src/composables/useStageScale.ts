// Fits the wall's fixed 1920×1080 stage into the element that holds it (the whole window), letterboxed.
import { onMounted, onScopeDispose, ref, type Ref } from 'vue';
import { fitStage, type StageFit } from '@/utils/stage';

export function useStageScale(viewport: Ref<HTMLElement | null>): Ref<StageFit> {
  const fit = ref<StageFit>(fitStage(window.innerWidth, window.innerHeight));
  let observer: ResizeObserver | undefined;
  const update = () => {
    const el = viewport.value;
    fit.value = el ? fitStage(el.clientWidth, el.clientHeight) : fitStage(window.innerWidth, window.innerHeight);
  };
  onMounted(() => {
    update();
    observer = new ResizeObserver(update);
    if (viewport.value) observer.observe(viewport.value);
  });
  onScopeDispose(() => observer?.disconnect());
  return fit;
}
