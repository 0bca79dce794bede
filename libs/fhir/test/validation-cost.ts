/**
 * What validation costs: the one-time load of the R4 definitions, and the CPU time per
 * validation of one lab report (1 DiagnosticReport + 15 Observations in a transaction Bundle).
 *
 *   node -r @swc-node/register libs/fhir/test/validation-cost.ts [iterations]
 *
 * CPU time (process.cpuUsage) is reported beside wall time because the machine is shared.
 */
import { getDataType, validateResource } from '@medplum/core';
import { validateFhirResource } from '../src/fhir-validator';
import { loadR4Definitions } from '../src/r4-definitions';
import { supplementaryChecks } from '../src/supplementary-checks';
import { parseLabReport } from '../src/transaction-bundle';
import { fixture } from './fixtures';

type Json = Record<string, unknown> & { entry: unknown[] };

function measure(label: string, iterations: number, run: () => unknown): void {
  for (let i = 0; i < Math.min(200, iterations); i++) run();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < iterations; i++) run();
  const wall = (performance.now() - wall0) / iterations;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000 / iterations;
  console.log(
    `${label.padEnd(52)} ${cpuMs.toFixed(2).padStart(6)} ms CPU  ${wall.toFixed(2).padStart(6)} ms wall`,
  );
}

const iterations = Number(process.argv[2] ?? 1000);
const load = loadR4Definitions();
console.log(
  `R4 definitions: ${load.structureDefinitions} StructureDefinitions, ${load.valueSets} ValueSets, ` +
    `${load.codeSystems} CodeSystems loaded in ${load.loadMs} ms`,
);

const full = fixture<Json>('lab/cbc-transaction.json');
const report = { ...full, entry: full.entry.slice(2) }; // DiagnosticReport + 15 Observations
if (validateFhirResource(report).length > 0) throw new Error('the fixture should be valid');
console.log(`per validation, mean of ${iterations}:`);
measure('validateFhirResource(DR + 15 Obs Bundle)', iterations, () => validateFhirResource(report));
measure('  of which @medplum/core validateResource', iterations, () => {
  try {
    validateResource(report as Parameters<typeof validateResource>[0]);
  } catch {
    // warnings only: the fixture is valid
  }
});
measure('  of which supplementary checks', iterations, () =>
  supplementaryChecks(report, getDataType('Bundle')),
);
measure('parseLabReport(+ Patient + Specimen, 18 entries)', iterations, () => parseLabReport(full));

// The same report with lean Observations (status, one code, subject, valueQuantity only).
type Entry = { resource: Record<string, unknown> & { code: { coding: unknown[] } } };
const lean = {
  ...report,
  entry: (report.entry as Entry[]).map((e) => {
    const { resourceType, status, code, subject, valueQuantity, result } = e.resource;
    const resource = { resourceType, status, code: { coding: code.coding.slice(0, 1) }, subject };
    return { ...e, resource: { ...resource, ...(valueQuantity ? { valueQuantity } : { result }) } };
  }),
};
if (validateFhirResource(lean).length > 0) throw new Error('the lean report should be valid');
measure('validateFhirResource(DR + 15 lean Obs Bundle)', iterations, () => validateFhirResource(lean));
