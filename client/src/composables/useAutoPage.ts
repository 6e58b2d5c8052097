// Pages a list too long for its box: hold a page, move up to the next (a transform, no layout), back to the top
// after the last. Pages start at entries, so none is ever cut at the top. Measured in layout pixels, which a
// scaled stage leaves untouched.
import { onMounted, onScopeDispose, ref, type Ref } from 'vue';
import { pageStarts } from '@/utils/stage';

export function useAutoPage(box: Ref<HTMLElement | null>, list: Ref<HTMLElement | null>, holdMs = 8000) {
  const offset = ref(0);
  const page = ref(0);
  const pages = ref(1);
  let starts = [0];
  let timer: number | undefined;
  let observer: ResizeObserver | undefined;

  function measure(): void {
    const b = box.value;
    const l = list.value;
    if (!b || !l) return;
    const items = [...l.children].filter((el): el is HTMLElement => el instanceof HTMLElement);
    starts = pageStarts(
      items.map((el) => el.offsetTop),
      items.map((el) => el.offsetTop + el.offsetHeight),
      b.clientHeight,
    );
    pages.value = starts.length;
    if (page.value >= starts.length) page.value = 0;
    offset.value = starts[page.value] ?? 0;
  }

  function advance(): void {
    page.value = starts.length > 1 ? (page.value + 1) % starts.length : 0;
    offset.value = starts[page.value] ?? 0;
  }

  onMounted(() => {
    measure();
    observer = new ResizeObserver(measure);
    if (box.value) observer.observe(box.value);
    if (list.value) observer.observe(list.value);
    timer = window.setInterval(advance, holdMs);
  });
  onScopeDispose(() => {
    window.clearInterval(timer);
    observer?.disconnect();
  });

  return { offset, page, pages, measure };
}
