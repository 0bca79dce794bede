// No type declarations ship with the NLM's UCUM library: the one call used is typed here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { UcumLhcUtils } = require('@lhncbc/ucum-lhc') as {
  UcumLhcUtils: {
    getInstance(): {
      validateUnitString(unit: string, suggest?: boolean): { status: string; ucumCode: string | null };
    };
  };
};

const checked = new Map<string, string | null>();

/**
 * The UCUM code of a unit a sender flagged as UCUM (OBX-6.3 `UCUM`), checked with the NLM's UCUM
 * library (@lhncbc/ucum-lhc): as sent when valid; corrected where a LIS writes the common
 * near-miss — `IU` for `[IU]` (`mIU/L` → `m[IU]/L`), `μ` for `u`; undefined when it is no UCUM
 * at all, so that the Quantity keeps the unit as text and claims no UCUM code it is not
 * (FHIR Quantity: `code` is a code of `system`; the HAPI validator refuses `mIU/L` as UCUM).
 */
export function ucumCodeOf(sent: string): string | undefined {
  let code = checked.get(sent);
  if (code === undefined) {
    code = valid(sent) ?? valid(nearMiss(sent));
    if (checked.size < 2_000) checked.set(sent, code);
  }
  return code ?? undefined;
}

/** `IU` (with a prefix or alone, not already bracketed) → `[IU]`; `μ`/`µ` → `u`. */
function nearMiss(unit: string): string {
  return unit.replace(/[μµ]/g, 'u').replace(/(?<![[A-Za-z])([munpk]?)IU(?![\]A-Za-z])/g, '$1[IU]');
}

function valid(unit: string): string | null {
  // (the library logs to the console what it cannot parse: blanks are no UCUM anyway)
  if (!unit || unit.length > 60 || /\s/.test(unit)) return null;
  const r = UcumLhcUtils.getInstance().validateUnitString(unit, false);
  return r.status === 'valid' ? (r.ucumCode ?? unit) : null;
}
