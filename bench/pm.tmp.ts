import { mapOruR01Lab, parseHl7, classifyImagingMessage } from '@yilian/hl7v2';
import { benchMessage, benchPatients } from '/work/main/bench/intake/workload';
const pats = benchPatients(300);
const texts = Array.from({ length: 2000 }, (_, i) => benchMessage('X', i % 8, i, pats).text);
const receivedAt = new Date().toISOString();
const run = () => { for (const t of texts) { const p = parseHl7(t); if (!p.ok) throw 1; classifyImagingMessage(p.message); if (!mapOruR01Lab(p.message, { institution: 'H001', receivedAt }).ok) throw 2; } };
run(); run();
const r: number[] = [];
for (let i = 0; i < 7; i++) { const c = process.cpuUsage(); run(); const u = process.cpuUsage(c); r.push((u.user + u.system) / texts.length); }
r.sort((a, b) => a - b); console.log('parse+classify+map µs best', r[0]!.toFixed(0), 'median', r[3]!.toFixed(0));
