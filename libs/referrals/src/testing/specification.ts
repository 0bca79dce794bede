/**
 * given(events).when(command).then(events) | .thenNothing() | .thenRejects(code): a decider
 * specification in the manner of oskardudycz/EventSourcing.NodeJS (samples/decider). Besides
 * comparing events, `then` checks that every event fits its contract and that the decision
 * does not depend on the wall clock (decide is run at two different system times).
 */
export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): readonly Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

export interface SpecificationOptions<Event> {
  /** Problems of an event against its contract; each produced event must have none. */
  readonly checkEvent?: (event: Event) => readonly string[];
}

const CLOCKS = [Date.parse('2001-01-01T00:00:00Z'), Date.parse('2099-12-31T23:59:59Z')];

export function specificationFor<Command, Event, State>(
  decider: Decider<Command, Event, State>,
  options: SpecificationOptions<Event> = {},
) {
  return (given: Event | readonly Event[] = []) => ({
    when: (command: Command) => {
      const state = (Array.isArray(given) ? (given as readonly Event[]) : [given as Event]).reduce(
        decider.evolve,
        decider.initialState(),
      );
      const handle = () => decider.decide(command, state);
      const decideAtTwoClocks = (): readonly Event[] => {
        jest.useFakeTimers();
        try {
          const [first, second] = CLOCKS.map((now) => (jest.setSystemTime(now), handle()));
          expect(second).toEqual(first);
          return first!;
        } finally {
          jest.useRealTimers();
        }
      };
      return {
        then: (expected: Event | readonly Event[]): void => {
          const events = decideAtTwoClocks();
          expect(events).toEqual(Array.isArray(expected) ? expected : [expected]);
          for (const event of events) expect(options.checkEvent?.(event) ?? []).toEqual([]);
          events.reduce(decider.evolve, state);
        },
        thenNothing: (): void => expect(decideAtTwoClocks()).toEqual([]),
        thenRejects: (code: string, message?: RegExp): void => {
          let thrown: unknown;
          try {
            thrown = { unexpectedEvents: handle() };
          } catch (error) {
            thrown = error;
          }
          expect(thrown).toMatchObject({ code });
          if (message) expect((thrown as Error).message).toMatch(message);
        },
      };
    },
  });
}
