// Reading the JSON report, version 2 (README.md#json-report).

/**
 * A finding's fix with its description: `report.fixCatalogue` holds each
 * distinct title, applicability, trade-offs and `introduces` once, and the
 * fix names its entry by index.
 */
export function withDescription(report, fix) {
  return { ...report.fixCatalogue[fix.catalogue], ...fix };
}
