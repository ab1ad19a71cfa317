/**
 * Workload renaming rules from tierwise.yml (agent.workloads.rename). Each regex is anchored at both
 * ends, as Prometheus's relabelling is, so a rule names whole workloads; the first match wins and its
 * template gets `$1`… from the regex's groups.
 */
export function createRenamer(
  rules: ReadonlyArray<{ match: string; workload: string }>,
): (name: string) => string {
  const compiled = rules.map((r) => ({ match: new RegExp(`^(?:${r.match})$`), workload: r.workload }));
  return (name) => {
    const rule = compiled.find((r) => r.match.test(name));
    return rule ? name.replace(rule.match, rule.workload) : name;
  };
}
