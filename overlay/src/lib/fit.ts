// Shrinks a one-line label until it fits its box (long names in a fixed-size card).

/** Font scale that makes content of `contentWidth` fit `boxWidth`, never below `min`. */
export function fitScale(contentWidth: number, boxWidth: number, min = 0.45): number {
  if (contentWidth <= 0 || boxWidth <= 0 || contentWidth <= boxWidth) return 1;
  return Math.max(min, boxWidth / contentWidth);
}

/**
 * Svelte action: sets `--fit` (0..1) on the node so `font-size: calc(... * var(--fit))` fits the
 * text on one line. Re-fits when the text changes (pass it as the parameter) or the box resizes.
 */
export function fitText(node: HTMLElement, _text: string): { update(text: string): void; destroy(): void } {
  const refit = (): void => {
    node.style.setProperty('--fit', '1');
    node.style.setProperty('--fit', String(fitScale(node.scrollWidth, node.clientWidth)));
  };
  const observer = new ResizeObserver(refit);
  observer.observe(node);
  refit();
  return { update: refit, destroy: () => observer.disconnect() };
}
