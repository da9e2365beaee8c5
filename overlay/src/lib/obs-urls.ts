// The overlay URLs the operator page offers to copy into an OBS browser source.

export interface ObsVariant {
  title: string;
  url: string;
}

/** `setup`: with several setups on the server, every URL names the one the operator page shows. */
export function obsVariants(origin: string, regionNames: string[], token: string | null, setup?: string): ObsVariant[] {
  const url = (query: string): string => {
    const q = new URLSearchParams(query);
    if (setup) q.set('setup', setup);
    if (token) q.set('token', token);
    const s = q.toString();
    return `${origin}/overlay${s ? `?${s}` : ''}`;
  };
  const variants: ObsVariant[] = [{ title: 'Card, every region', url: url('') }];
  for (const name of regionNames) variants.push({ title: `Card, ${name} only`, url: url(`region=${name}`) });
  variants.push(
    { title: 'Bar along the bottom', url: url('layout=bar') },
    { title: 'Minimal text with confidence', url: url('layout=minimal&confidence=1') },
    { title: 'Light card, bottom right', url: url('theme=light&position=bottom-right') },
  );
  return variants;
}
