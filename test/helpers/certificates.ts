/**
 * Test certificates made with openssl (the system's, as a CA would make them): a CA, and leaves it signs, in a
 * temporary directory that `remove()` deletes. PEM text, and the files beside it for tools that take paths.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pem {
  readonly certificate: string;
  readonly privateKey: string;
  /** The certificate's file. */
  readonly certificateFile: string;
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export class TestCertificates {
  readonly dir = mkdtempSync(join(tmpdir(), 'aws-job-steps-certs-'));

  private openssl(...args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: 'pipe' });
  }

  private pem(name: string): Pem {
    const read = (file: string): string => readFileSync(join(this.dir, file), 'utf8');
    return {
      certificate: read(`${name}.pem`),
      privateKey: read(`${name}.key`),
      certificateFile: join(this.dir, `${name}.pem`),
    };
  }

  /** A self-signed CA, valid two days. */
  ca(name: string): Pem {
    this.openssl(
      'req',
      '-x509',
      ...KEY,
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    );
    return this.pem(name);
  }

  /** A leaf signed by the CA `ca` with the given X.509 extensions (e.g. `subjectAltName=IP:127.0.0.1`). */
  leaf(name: string, ca: string, extensions: string): Pem {
    writeFileSync(join(this.dir, `${name}.ext`), extensions);
    this.openssl('req', ...KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`);
    this.openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${ca}.pem`,
      '-CAkey',
      `${ca}.key`,
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
    );
    return this.pem(name);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * An HTTPS front on 127.0.0.1:`port` (0: any) with the `server` certificate, forwarding every request to `target`
 * (an emulator's http:// URL); with `clientCa`, it requires a client certificate that CA signed. `seen` is told of
 * each request first.
 */
export async function httpsFront(
  options: { server: Pem; target: string; port?: number; clientCa?: string },
  seen: (req: IncomingMessage) => void = () => {},
): Promise<Server> {
  const target = new URL(options.target);
  const front = createServer(
    {
      key: options.server.privateKey,
      cert: options.server.certificate,
      ...(options.clientCa !== undefined && { ca: options.clientCa, requestCert: true, rejectUnauthorized: true }),
    },
    (req, res) => {
      seen(req);
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    },
  );
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  return front;
}

export async function closeFront(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
