// One callback per animation frame, however many times it is asked for: live updates are merged in
// between and applied in one step, so a burst of orders costs one render (as the wall does).
const nextFrame: (fn: () => void) => number =
  typeof requestAnimationFrame === 'function' ? (fn) => requestAnimationFrame(fn) : (fn) => window.setTimeout(fn, 16);
const cancelFrame: (id: number) => void =
  typeof cancelAnimationFrame === 'function' ? (id) => cancelAnimationFrame(id) : (id) => window.clearTimeout(id);

export interface FrameScheduler {
  /** Runs the flush on the next frame unless one is already due. */
  request(): void;
  cancel(): void;
}

export function frameScheduler(flush: () => void): FrameScheduler {
  let frame: number | null = null;
  return {
    request() {
      frame ??= nextFrame(() => {
        frame = null;
        flush();
      });
    },
    cancel() {
      if (frame !== null) cancelFrame(frame);
      frame = null;
    },
  };
}
