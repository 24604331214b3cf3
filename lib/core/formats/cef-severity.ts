// Header fields escape `|` as `\|`, so only an unescaped pipe ends a field; the seventh is the severity.
const SEVERITY_FIELD = /^CEF:\d+\|(?:(?:\\.|[^|\\])*\|){5}(\d+)\|/;

/** The catalog severity a CEF line carries in its header (the formatter writes the catalog's 0-10 there). */
export function cefLineSeverity(line: string): number | undefined {
  const fields = SEVERITY_FIELD.exec(line);
  return fields ? Number(fields[1]) : undefined;
}
