// Gets a person's attention when something new needs them: a short beep (WebAudio, no audio file) and,
// once they have allowed it, a browser notification. Browsers only let a page ask with a user's click.
import { onScopeDispose, ref } from 'vue';

export type NotifyPermission = NotificationPermission | 'unsupported';

const hasNotifications = () => typeof window !== 'undefined' && 'Notification' in window;

let audio: AudioContext | null = null;

/** Two short tones; silent where audio is blocked until the page has been clicked. */
function beep(): void {
  try {
    audio ??= new AudioContext();
    const ctx = audio;
    if (ctx.state === 'suspended') void ctx.resume();
    const start = ctx.currentTime;
    for (const [offset, freq] of [
      [0, 880],
      [0.18, 1320],
    ] as const) {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.type = 'sine';
      osc.frequency.value = freq;
      // A quick fade in and out: a hard start clicks.
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.15);
      osc.connect(gain).connect(ctx.destination);
      osc.start(start + offset);
      osc.stop(start + offset + 0.16);
    }
  } catch {
    /* no audio on this device */
  }
}

export function useAttention() {
  const permission = ref<NotifyPermission>(hasNotifications() ? Notification.permission : 'unsupported');
  const shown: Notification[] = [];

  async function requestPermission(): Promise<void> {
    if (!hasNotifications()) return;
    // Unlocks audio too: this runs in the click that asked.
    audio ??= new AudioContext();
    permission.value = await Notification.requestPermission();
  }

  function alert(title: string, body: string, tag: string): void {
    beep();
    if (!hasNotifications() || Notification.permission !== 'granted') return;
    try {
      const n = new Notification(title, { body, tag });
      n.onclick = () => {
        window.focus();
        n.close();
      };
      shown.push(n);
    } catch {
      /* some browsers allow notifications only from a service worker */
    }
  }

  onScopeDispose(() => {
    for (const n of shown.splice(0)) n.close();
  });

  return { permission, requestPermission, alert };
}
