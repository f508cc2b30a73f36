/**
 * A minimal SMTP server on loopback that accepts every message and keeps it (for notification sender tests).
 * Speaks just enough of RFC 5321 for nodemailer: greeting, EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT.
 */
import net from 'node:net';

export interface SunkMessage {
  from: string;
  to: string[];
  data: string;
}

export interface SmtpSink {
  url: string;
  messages: SunkMessage[];
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const messages: SunkMessage[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buffer = '';
    let inData = false;
    let current: SunkMessage = { from: '', to: [], data: '' };
    const reply = (line: string) => socket.write(`${line}\r\n`);
    reply('220 sink ESMTP');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          current.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          messages.push(current);
          current = { from: '', to: [], data: '' };
          reply('250 OK queued');
          continue;
        }
        const nl = buffer.indexOf('\r\n');
        if (nl < 0) return;
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        const cmd = line.slice(0, 4).toUpperCase();
        if (cmd === 'EHLO') reply('250 sink');
        else if (cmd === 'HELO') reply('250 sink');
        else if (cmd === 'MAIL') {
          current.from = line.replace(/^MAIL FROM:\s*/i, '');
          reply('250 OK');
        } else if (cmd === 'RCPT') {
          current.to.push(line.replace(/^RCPT TO:\s*/i, ''));
          reply('250 OK');
        } else if (cmd === 'DATA') {
          inData = true;
          reply('354 go ahead');
        } else if (cmd === 'QUIT') {
          reply('221 bye');
          socket.end();
        } else reply('250 OK');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The text of a sunk message after its headers, quoted-printable decoded (nodemailer wraps long lines). */
export function textOf(m: SunkMessage): string {
  const body = m.data.slice(m.data.indexOf('\r\n\r\n') + 4);
  if (!/content-transfer-encoding:\s*quoted-printable/i.test(m.data)) return body;
  return body
    .replace(/=\r\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

/**
 * The one-time link (`/verify-email?token=…` or `/reset-password?token=…`) in the latest message to `to` that has
 * one (emails queued at the same instant go out in no particular order).
 */
export function linkTo(sink: SmtpSink, to: string, page: '/verify-email' | '/reset-password'): string {
  const mine = sink.messages.filter((x) => x.to.some((t) => t.includes(to)));
  if (!mine.length) throw new Error(`no message to ${to}`);
  for (const m of mine.reverse()) {
    const found = textOf(m).match(new RegExp(`https?://\\S+${page}\\?token=\\S+`));
    if (found) return found[0];
  }
  throw new Error(`no ${page} link in the messages to ${to}`);
}

/** Waits (polling every 50 ms, up to `ms`) until a message to `to` holds a `page` link, and returns the link. */
export async function waitForLink(
  sink: SmtpSink,
  to: string,
  page: '/verify-email' | '/reset-password',
  ms = 10_000,
): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      return linkTo(sink, to, page);
    } catch (e) {
      if (Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
