/**
 * Storm control: remembers recent notifications across all sources and, once the policy holds
 * notifications back, gathers them into one digest per storm window, raised by an unref'd timer.
 */
import type { NotificationRequest } from '../../../shared/events';
import type { PolicySettings } from '../../../shared/settings';

/** A group held back by storm control, as the digest names it. */
export interface HeldItem {
  groupId: string;
  title: string;
  /** The source's name (see placeOf): what the digest counts by. */
  place: string;
  isNew: boolean;
}

export interface StormControlOptions {
  now: () => number;
  getPolicy: () => PolicySettings;
  /** Raises a digest. */
  emit: (n: NotificationRequest) => void;
}

/**
 * How much of the held groups a digest keeps, in bytes of their strings (ids, titles, places): the digest names
 * three titles at most, and a storm can hold thousands of groups a minute. Past it, groups are only counted.
 */
export const MAX_HELD_BYTES = 512 * 1024;

/** Groups held past {@link MAX_HELD_BYTES}: only counted (a group held twice then counts twice). */
export interface HeldOverflow {
  count: number;
  /** Whether every one of them was new. */
  allNew: boolean;
}

const NO_OVERFLOW: HeldOverflow = { count: 0, allNew: true };

/** What holding an item costs: its strings, two bytes a code unit, and the entry around them. */
function heldBytes(item: HeldItem): number {
  return 2 * (item.groupId.length + item.title.length + item.place.length) + 64;
}

/**
 * Words for a digest of held groups: "14 new errors in Game client and 2 more", and the errors it covers.
 * The facts only: what to do about it ("Open Crashbell to see them all") is for each front end to say.
 */
export function digestFor(items: readonly HeldItem[], overflow: HeldOverflow = NO_OVERFLOW): NotificationRequest {
  const byPlace = new Map<string, number>();
  for (const it of items) byPlace.set(it.place, (byPlace.get(it.place) ?? 0) + 1);
  let top = '';
  let topCount = 0;
  for (const [place, n] of byPlace) {
    if (n > topCount) {
      top = place;
      topCount = n;
    }
  }
  const others = items.length + overflow.count - topCount;
  const noun =
    overflow.allNew && items.every((i) => i.isNew) ? (topCount === 1 ? 'new error' : 'new errors') : topCount === 1 ? 'error' : 'errors';
  const title = `${topCount} ${noun} in ${top}${others > 0 ? ` and ${others} more` : ''}`;
  // Distinct titles with their counts: a storm often repeats one error across many groups.
  const titles = new Map<string, number>();
  for (const it of items) titles.set(it.title, (titles.get(it.title) ?? 0) + 1);
  const shown = [...titles].slice(0, 3);
  const rest = items.length + overflow.count - shown.reduce((n, [, c]) => n + c, 0);
  const body = `${shown.map(([t, c]) => (c > 1 ? `${t} ×${c}` : t)).join(', ')}${rest > 0 ? `, and ${rest} more` : ''}.`;
  return { title, body, url: null, group: null, digest: true, groups: items.map((i) => i.groupId) };
}

/** Recent notification times and the pending digest. */
export class StormControl {
  private readonly opts: StormControlOptions;
  private sent: number[] = [];
  private held = new Map<string, HeldItem>();
  /** Bytes the held items take (see {@link MAX_HELD_BYTES}), and what was held past them. */
  private heldBytes = 0;
  private overflow: HeldOverflow = { count: 0, allNew: true };
  private lastDigestAt = -Infinity;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the pending digest is due, fixed when its first group is held. */
  private due: number | null = null;
  private closed = false;

  constructor(opts: StormControlOptions) {
    this.opts = opts;
  }

  private windowMs(): number {
    return this.opts.getPolicy().stormWindowSeconds * 1000;
  }

  /** Times of individual notifications still inside the storm window, oldest first. */
  recent(now = this.opts.now()): number[] {
    const from = now - this.windowMs();
    let i = 0;
    while (i < this.sent.length && (this.sent[i] ?? 0) <= from) i++;
    if (i > 0) this.sent = this.sent.slice(i);
    return this.sent;
  }

  /** Records an individual notification raised at `at`. */
  noteNotified(at: number): void {
    this.sent.push(at);
  }

  /** Takes back one notification noted at `at` that was never raised (its hook could not be stored). */
  forgetNotified(at: number): void {
    const i = this.sent.lastIndexOf(at);
    if (i >= 0) this.sent.splice(i, 1);
  }

  /**
   * True while a storm goes on: groups wait for a digest, or one went out less than a window ago. The policy
   * then holds every notification for the next digest, so a long storm gives one digest a minute instead of
   * a fresh burst of single notifications each time the window frees up.
   */
  active(now = this.opts.now()): boolean {
    return this.held.size > 0 || this.overflow.count > 0 || now - this.lastDigestAt < this.windowMs();
  }

  /** Groups waiting for the next digest. */
  pending(): HeldItem[] {
    return [...this.held.values()];
  }

  /**
   * When a digest would be due if a group were held now: once the storm window that filled up has
   * passed, and never within a window of the last digest.
   */
  dueAt(now = this.opts.now()): number {
    const w = this.windowMs();
    const oldest = this.recent(now)[0];
    return Math.max(now, oldest === undefined ? now : oldest + w, this.lastDigestAt + w);
  }

  /** Holds a group back for the next digest and makes sure a digest is scheduled. */
  hold(item: HeldItem): void {
    if (this.closed) return;
    if (this.waiting() === 0) this.due = this.dueAt();
    const known = this.held.get(item.groupId);
    if (known !== undefined) {
      this.held.delete(item.groupId);
      this.heldBytes -= heldBytes(known);
    }
    const bytes = heldBytes(item);
    // The first is always kept, so a digest has a title and a place to name.
    if (this.held.size === 0 || this.heldBytes + bytes <= MAX_HELD_BYTES) {
      this.held.set(item.groupId, item);
      this.heldBytes += bytes;
    } else {
      this.overflow = { count: this.overflow.count + 1, allNew: this.overflow.allNew && item.isNew };
    }
    this.schedule();
  }

  /** How many groups wait for the next digest, counted ones included. */
  private waiting(): number {
    return this.held.size + this.overflow.count;
  }

  private schedule(): void {
    if (this.timer !== null || this.waiting() === 0 || this.closed) return;
    const now = this.opts.now();
    this.due ??= this.dueAt(now);
    const delay = Math.max(0, this.due - now);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flushDigest();
    }, delay);
    this.timer.unref?.();
  }

  /**
   * Raises the digest of held groups when it is due (or at once with `force`). Returns it, or null when
   * nothing is held or it is not due yet (then it stays scheduled).
   */
  flushDigest(now = this.opts.now(), force = false): NotificationRequest | null {
    if (this.waiting() === 0) return null;
    if (!force && now < (this.due ?? this.dueAt(now))) {
      this.schedule();
      return null;
    }
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const digest = digestFor([...this.held.values()], this.overflow);
    this.held.clear();
    this.heldBytes = 0;
    this.overflow = { count: 0, allNew: true };
    this.due = null;
    this.lastDigestAt = now;
    this.opts.emit(digest);
    return digest;
  }

  /** Stops the timer; no digest is raised after close (the inbox flushes the pending one first). */
  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
