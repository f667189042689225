/** Raw bytes to a TCP port and whatever comes back: for requests no HTTP client would send. */
import net from 'node:net';

/**
 * Writes `data`, then reads until the server closes, `waitMs` passes, or (when it answered a status
 * line) the head is complete. Resolves with the text received ('' when none); never rejects.
 */
export function rawRequest(port: number, data: string | Buffer, waitMs = 1500): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let got = '';
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(got);
    };
    const timer = setTimeout(done, waitMs);
    socket.on('connect', () => socket.write(data));
    socket.on('data', (d) => {
      got += d.toString('latin1');
      if (/^HTTP\/1\.1 \d{3}/.test(got) && got.includes('\r\n\r\n') && !/^HTTP\/1\.1 200/.test(got)) done();
    });
    socket.on('error', done);
    socket.on('close', done);
  });
}

/** The status code of a raw response, or null when nothing parseable came back. */
export function statusOf(response: string): number | null {
  const m = /^HTTP\/1\.1 (\d{3})/.exec(response);
  return m ? Number(m[1]) : null;
}

export function upgradeRequest(target: string, headers: Record<string, string> = {}): string {
  const all = {
    Host: '127.0.0.1',
    Upgrade: 'websocket',
    Connection: 'Upgrade',
    'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version': '13',
    ...headers,
  };
  return `GET ${target} HTTP/1.1\r\n${Object.entries(all)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n')}\r\n\r\n`;
}
