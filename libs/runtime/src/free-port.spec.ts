import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { freePort } from './embedded-postgres';

describe('freePort', () => {
  it('hands out distinct ports below the kernel ephemeral range, each one free to listen on', async () => {
    const ephemeralLow = Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
    const ports: number[] = [];
    for (let i = 0; i < 40; i++) ports.push(await freePort());
    expect(new Set(ports).size).toBe(ports.length);
    for (const p of ports) {
      expect(p).toBeGreaterThanOrEqual(20000);
      expect(p).toBeLessThan(ephemeralLow);
    }
    await new Promise<void>((ok, fail) => {
      const srv = createServer();
      srv.once('error', fail);
      srv.listen(ports[0], '127.0.0.1', () => srv.close(() => ok()));
    });
  });
});
