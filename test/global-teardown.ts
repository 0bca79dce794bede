export default async function globalTeardown(): Promise<void> {
  const stops = globalThis.__YILIAN_TEST_STOPS__ ?? [];
  for (const stop of stops.reverse()) {
    try {
      await stop();
    } catch (e) {
      console.error('[global-teardown]', e);
    }
  }
}
