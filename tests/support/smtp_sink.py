"""A test SMTP server (aiosmtpd) that keeps what it receives and misbehaves on demand.

usage: /usr/bin/python3 tests/support/smtp_sink.py DIR
Prints "listening PORT" once it accepts connections on 127.0.0.1.
DIR/mode, read at every DATA, says what to do with the next messages:
  "refuse N"  answer 451 (a temporary failure) N times
  "stall N"   wait without answering (the client times out) N times
  "drop N"    close the connection instead of answering N times
  anything else, or no file: accept.
Each DATA is logged as one line "<what> <Message-ID>" in DIR/attempts.log. Each accepted message is
stored as DIR/msg-K.eml and parsed with Python's email package into DIR/msg-K.json.
"""
import asyncio
import email
import email.policy
import json
import os
import sys

from aiosmtpd.smtp import SMTP

DIR = sys.argv[1]
count = 0


def next_action():
    path = os.path.join(DIR, 'mode')
    try:
        with open(path) as f:
            what, n = (f.read().split() + ['accept', '0'])[:2]
    except FileNotFoundError:
        return 'accept'
    if what not in ('refuse', 'stall', 'drop') or int(n) <= 0:
        return 'accept'
    with open(path, 'w') as f:
        f.write(f'{what} {int(n) - 1}')
    return what


def write_atomically(path, data):
    with open(path + '.tmp', 'wb') as f:
        f.write(data)
    os.rename(path + '.tmp', path)


def parse(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    parts = {}
    for part in msg.walk():
        if part.get_content_maintype() == 'text':
            parts[part.get_content_type()] = part.get_content()
    return {
        'headers': {k: str(v) for k, v in msg.items()},
        'content_type': msg.get_content_type(),
        'text': parts.get('text/plain'),
        'html': parts.get('text/html'),
    }


class Handler:
    async def handle_DATA(self, server, session, envelope):
        global count
        action = next_action()
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with open(os.path.join(DIR, 'attempts.log'), 'a') as log:
            log.write(f"{action} {msg.get('Message-ID', '')}\n")
        if action == 'refuse':
            return '451 4.3.0 try again later'
        if action == 'stall':
            await asyncio.sleep(3600)
            return '451 4.3.0 too late'
        if action == 'drop':
            server.transport.close()
            return '421 4.3.0 closing'
        count += 1
        base = os.path.join(DIR, f'msg-{count}')
        write_atomically(base + '.eml', envelope.content)
        record = parse(envelope.content)
        record['mail_from'] = envelope.mail_from
        record['rcpt_tos'] = envelope.rcpt_tos
        write_atomically(base + '.json', json.dumps(record).encode())
        return '250 2.0.0 stored'


async def main():
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(Handler(), hostname='sink.test'), '127.0.0.1', 0)
    print('listening', server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


asyncio.run(main())
