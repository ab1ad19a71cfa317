import type { z } from 'zod';

/** Reports every entry of `list` (at `path`) whose name an earlier entry already has; unnamed ones pass. */
export function checkUniqueNames(
  list: readonly { name?: string | undefined }[],
  path: string,
  ctx: z.core.$RefinementCtx,
): void {
  const seen = new Set<string>();
  list.forEach((item, i) => {
    if (item.name === undefined) return;
    if (seen.has(item.name))
      ctx.addIssue({ code: 'custom', path: [path, i, 'name'], message: `"${item.name}" is named twice` });
    seen.add(item.name);
  });
}
