// Who may ask what: the server listens on loopback by default; anything wider requires a token,
// checked on HTTP mutations and on the WebSocket upgrade. A browser on this machine is a second
// way in, whatever the bind: any page it opens can send requests here. So every request must name
// this server in its Host (a DNS-rebinding page names its own domain), and changes and the socket
// refuse a browser Origin other than the server's own pages (a request without Origin comes from
// no browser: curl, scripts, OBS plugins). OBS's browser source is Chromium (CEF): the overlay it
// loads from this server connects with this server's origin; opaque origins (file:, data:,
// sandboxed frames) arrive as `null` and are refused like any other foreign page.
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import os from 'node:os';
import { UserError } from '../kit/errors.ts';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Refuses a non-loopback bind without a token; returns a warning to print when it binds wide. */
export function checkBind(host: string, token: string | undefined): string | null {
  if (isLoopback(host)) return null;
  if (!token) {
    throw new UserError(`--host ${host}: listening beyond this machine needs --token <secret> (anyone on the network could change the overlay)`);
  }
  return `warning: listening on ${host}: reachable from other machines; changes need the token`;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** True when no token is set, or the request carries it (Authorization: Bearer T, any case of the scheme, or ?token=T). */
function hasToken(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const bearer = /^bearer[ \t]+(.+)$/i.exec(req.headers.authorization ?? '');
  if (bearer && same(bearer[1]!.trim(), token)) return true;
  const query = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  return query !== null && same(query, token);
}

export interface Gate {
  token: string | undefined;
  /** Host names (beyond IP literals, localhost and this machine's name) requests may carry: --host, --allow-host. */
  hosts: readonly string[];
}

export interface Refusal {
  status: 401 | 403;
  message: string;
}

/** The name in a Host header, without port; IPv6 literals keep their brackets. */
function hostName(host: string): string {
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  return h.replace(/:\d*$/, '');
}

function hostAllowed(host: string | undefined, extra: readonly string[]): boolean {
  if (host === undefined) return true; // HTTP/1.0 without Host: no browser sends that
  const name = hostName(host);
  if (name.startsWith('[') || net.isIP(name)) return true; // an address, not a name anyone can re-point
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  const me = os.hostname().toLowerCase();
  return name === me || name === `${me}.local` || extra.some((e) => e.toLowerCase() === name);
}

/**
 * Why a request is refused (null: let it through). `reads` are pages, state and the preview; they
 * need only a Host naming this server. Changes and the socket also need the token and, from a
 * browser, this server's own origin.
 */
export function refusal(req: IncomingMessage, gate: Gate, kind: 'read' | 'change'): Refusal | null {
  const host = req.headers.host;
  if (!hostAllowed(host, gate.hosts)) {
    return { status: 403, message: `Host '${host}' is not a name this server answers to (add it with --allow-host)` };
  }
  if (kind === 'read') return null;
  const origin = req.headers.origin;
  if (origin !== undefined && !['http', 'https'].some((scheme) => origin.toLowerCase() === `${scheme}://${host?.toLowerCase()}`)) {
    return { status: 403, message: `Origin '${origin}' is not this server's: only its own pages may change things or connect` };
  }
  if (!hasToken(req, gate.token)) return { status: 401, message: 'missing or wrong token (Authorization: Bearer <token> or ?token=)' };
  return null;
}
