// The egress stand-in's servers, run inside a container's network namespace
// (`nsenter --net=/proc/PID/ns/net node egress-stub.mjs`): a DNS server on
// 127.0.0.1:53 that answers every A query with 127.0.0.1, and a TCP listener
// on 127.0.0.1 that answers "pong". All traffic stays on that namespace's
// loopback. Prints `READY <tcpPort>`, then `QUESTION <name>` per DNS query
// and `CONNECTION` per TCP connection; exits on SIGTERM or when stdin closes.
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const ADDRESS = '127.0.0.1';

function qname(msg, offset) {
  const labels = [];
  let i = offset;
  while (i < msg.length && msg[i] !== 0) {
    const len = msg[i];
    labels.push(msg.subarray(i + 1, i + 1 + len).toString('ascii'));
    i += len + 1;
  }
  return { name: labels.join('.'), end: i + 1 };
}

/** Answer one query: A → 127.0.0.1 (TTL 0), anything else → empty NOERROR. */
function dnsReply(query) {
  if (query.length < 12) return null;
  const { end } = qname(query, 12);
  const qtype = query.readUInt16BE(end);
  const question = query.subarray(12, end + 4);
  const header = Buffer.alloc(12);
  query.copy(header, 0, 0, 2); // id
  header.writeUInt16BE(0x8180 | (query.readUInt16BE(2) & 0x0100), 2); // response, RD copied, RA
  header.writeUInt16BE(1, 4); // QDCOUNT
  const isA = qtype === 1;
  header.writeUInt16BE(isA ? 1 : 0, 6); // ANCOUNT
  if (!isA) return Buffer.concat([header, question]);
  const rr = Buffer.alloc(16);
  rr.writeUInt16BE(0xc00c, 0); // name: pointer to the question
  rr.writeUInt16BE(1, 2); // A
  rr.writeUInt16BE(1, 4); // IN
  rr.writeUInt32BE(0, 6); // TTL
  rr.writeUInt16BE(4, 10);
  ADDRESS.split('.').forEach((octet, k) => rr.writeUInt8(Number(octet), 12 + k));
  return Buffer.concat([header, question, rr]);
}

const tcp = createServer((sock) => {
  process.stdout.write('CONNECTION\n');
  sock.on('error', () => undefined);
  sock.once('data', () => sock.end('pong\n'));
  sock.setTimeout(5_000, () => sock.destroy());
});
const udp = createSocket('udp4');
udp.on('message', (msg, rinfo) => {
  if (msg.length >= 12) process.stdout.write(`QUESTION ${qname(msg, 12).name}\n`);
  const reply = dnsReply(msg);
  if (reply) udp.send(reply, rinfo.port, rinfo.address);
});

const stop = () => {
  udp.close();
  tcp.close();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.stdin.on('end', stop);
process.stdin.resume();
// A hard bound so a forgotten stub never outlives the test run.
setTimeout(stop, 10 * 60_000).unref();

await new Promise((resolve, reject) => {
  tcp.once('error', reject);
  tcp.listen(0, ADDRESS, resolve);
});
await new Promise((resolve, reject) => {
  udp.once('error', reject);
  udp.bind(53, ADDRESS, resolve);
});
process.stdout.write(`READY ${tcp.address().port}\n`);
