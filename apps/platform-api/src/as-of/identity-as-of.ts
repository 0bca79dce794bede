/**
 * Identity links as they were at a past moment, from the log. A key's own stream
 * (`patient-{key}`) says whom it was linked or merged into; who was linked *to* a key is found
 * through {@link IdentityIndex}: every link and merge the log ever recorded, read by a
 * subscription filtered to those two types and followed live. Which links held at the
 * instant is then decided by folding each candidate's stream up to the instant
 * (`evolvePatientIdentity`, the decider's own fold) — links, merges, unlinks and unmerges
 * recorded at or before it.
 */
import { type LinkReason, parsePatientEvent, patientStream, type RecordedEvent } from '@yilian/contracts';
import type { EventStore, Subscription } from '@yilian/event-store';
import { evolvePatientIdentity, initialPatientIdentityState, MAX_LINK_DEPTH } from '@yilian/patients';
import { recordedBy } from './as-of-instant';

const JOINING: ReadonlySet<string> = new Set(['PatientIdentifiersLinked', 'PatientsMerged']);

/** Every key that was ever linked or merged into another, by the key it pointed to: a
 * subscription to the log's links and merges only (the store filters by type where it reads),
 * started at the first question and followed live after. */
export class IdentityIndex {
  private readonly members = new Map<string, Set<string>>();
  private subscription?: Subscription;
  private caughtUp?: Promise<void>;

  constructor(private readonly store: EventStore) {}

  /** Resolves once the index has read every link and merge recorded so far. */
  ready(): Promise<void> {
    this.caughtUp ??= new Promise<void>((resolve, reject) => {
      this.subscription = this.store.subscribe({
        eventTypes: [...JOINING],
        handler: async (e) => this.index(e),
        onCaughtUp: resolve,
      });
      // a subscription that failed is started again at the next question (the keys it had stay)
      void this.subscription.done.then(() => {
        this.caughtUp = undefined;
        reject(new Error('the identity subscription stopped'));
      });
    });
    return this.caughtUp;
  }

  /** Keys ever linked or merged into `key` (the candidates; the fold says which held). */
  membersEver(key: string): readonly string[] {
    return [...(this.members.get(key) ?? [])];
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
  }

  private index(e: RecordedEvent): void {
    const parsed = parsePatientEvent(e);
    if (!parsed.ok) return;
    const ev = parsed.event;
    const [member, target] =
      ev.type === 'PatientIdentifiersLinked'
        ? [ev.data.memberKey, ev.data.patientKey]
        : ev.type === 'PatientsMerged'
          ? [ev.data.mergedKey, ev.data.survivorKey]
          : [undefined, undefined];
    if (!member || !target) return;
    let set = this.members.get(target);
    if (!set) this.members.set(target, (set = new Set()));
    set.add(member);
  }
}

/** One key pointing to another at the instant, and the event that made it so. */
export interface IdentityLinkAsOf {
  readonly key: string;
  readonly target: string;
  /** `merge`, or the link's reason. A merge overrides a link while it holds. */
  readonly via: 'merge' | LinkReason;
  readonly since: string;
  readonly eventId: string;
}

export interface IdentityAsOf {
  /** The patient the asked key belonged to then (itself when nobody's member). */
  readonly root: string;
  /** The root first, then every key of the same patient then. */
  readonly keys: readonly string[];
  readonly links: readonly IdentityLinkAsOf[];
}

/** Where `key` pointed after each of its stream's events (the decider's own fold). */
export function linksAfterEach(
  key: string,
  events: readonly RecordedEvent[],
): { readonly event: RecordedEvent; readonly link?: IdentityLinkAsOf }[] {
  let state = initialPatientIdentityState();
  let link: { since: string; eventId: string } | undefined;
  let merge: { since: string; eventId: string } | undefined;
  return events.map((e) => {
    const parsed = parsePatientEvent(e);
    if (!parsed.ok) throw new Error(`patient stream holds an invalid ${e.type}: ${parsed.problems[0]}`);
    state = evolvePatientIdentity(state, parsed.event);
    const made = { since: e.recordedAt, eventId: e.id };
    if (e.type === 'PatientIdentifiersLinked') link = made;
    if (e.type === 'PatientsMerged') merge = made;
    if (state.merge && merge)
      return { event: e, link: { key, target: state.merge.survivorKey, via: 'merge' as const, ...merge } };
    if (state.link && link)
      return { event: e, link: { key, target: state.link.patientKey, via: state.link.reason, ...link } };
    return { event: e };
  });
}

/** Where `key` pointed at the instant, folded from its stream's events recorded by then. */
export async function linkAsOf(
  store: EventStore,
  key: string,
  at: string,
): Promise<IdentityLinkAsOf | undefined> {
  const events = (await store.readStream(patientStream(key))).filter((e) => recordedBy(e, at));
  return linksAfterEach(key, events).at(-1)?.link;
}

/** The person `key` named at the instant: up its links to the root, then down to every key. */
export async function identityAsOf(
  store: EventStore,
  index: IdentityIndex,
  key: string,
  at: string,
): Promise<IdentityAsOf> {
  await index.ready();
  let root = key;
  for (let depth = 0; depth < MAX_LINK_DEPTH; depth++) {
    const up = await linkAsOf(store, root, at);
    if (!up || up.target === key) break;
    root = up.target;
  }
  const keys = [root];
  const links: IdentityLinkAsOf[] = [];
  let level = [root];
  for (let depth = 0; depth < MAX_LINK_DEPTH && level.length > 0; depth++) {
    const next: string[] = [];
    for (const target of level) {
      for (const member of index.membersEver(target)) {
        if (keys.includes(member)) continue;
        const link = await linkAsOf(store, member, at);
        if (link?.target !== target) continue;
        keys.push(member);
        links.push(link);
        next.push(member);
      }
    }
    level = next;
  }
  return { root, keys, links };
}
