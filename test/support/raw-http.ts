import { connect } from 'node:net';

/** What came back on the socket: the first response's status (undefined when none came), head and body. */
export interface RawAnswer {
  status: number | undefined;
  head: string;
  body: string;
}

/** Whether `data` holds one whole response: its head, then its Content-Length or its last chunk. */
function complete(data: string): boolean {
  const split = data.indexOf('\r\n\r\n');
  if (split === -1) return false;
  const head = data.slice(0, split).toLowerCase();
  const body = data.length - split - 4;
  if (/^http\/1\.[01] (1\d\d|204|304)/.test(head)) return true;
  const length = /\r\ncontent-length:\s*(\d+)/.exec(head)?.[1];
  if (length !== undefined) return body >= Number(length);
  if (/\r\ntransfer-encoding:\s*chunked/.test(head)) return data.endsWith('\r\n0\r\n\r\n');
  return false;
}

/**
 * Writes `request` as it is to a fresh connection and reads the first response, up to the server closing the
 * connection or `timeoutMs`: how a stranger's bytes reach the service, below any HTTP client that would refuse to
 * send them. (node:http drops a connection the client half-closes, so the socket is not ended after writing.)
 */
export function rawRequest(
  port: number,
  request: string | Uint8Array,
  { host = '127.0.0.1', timeoutMs = 5_000 } = {},
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, host);
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      const head = split === -1 ? text : text.slice(0, split);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1];
      resolve({
        status: status === undefined ? undefined : Number(status),
        head,
        body: split === -1 ? '' : text.slice(split + 4),
      });
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (complete(Buffer.concat(chunks).toString('latin1'))) finish();
    });
    socket.on('close', finish);
    // A server that answers and closes before reading everything resets the connection: what came is kept.
    socket.on('error', finish);
    socket.write(request);
  });
}
