// The browser suite's mailbox: an SMTP server on 127.0.0.1 (smtp-server,
// from the Nodemailer project) that the app under test sends its e-mail to,
// so that the suite follows the links in real messages that went through
// the app's SMTP path. Each message is parsed (mailparser) and written as a
// JSON file to the folder given: {to, subject, text}.
//
//   node browser/mailbox.js /tmp/mail     # prints `listening on <port>`
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { SMTPServer } = require('smtp-server');
const { simpleParser } = require('mailparser');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node mailbox.js <folder>');
  process.exit(2);
}
fs.mkdirSync(dir, { recursive: true });

let count = 0;
const server = new SMTPServer({
  // Loopback only, no credentials and no TLS, as `smtp://127.0.0.1:<port>`.
  authOptional: true,
  disabledCommands: ['AUTH', 'STARTTLS'],
  logger: false,
  onData(stream, session, callback) {
    simpleParser(stream)
      .then((mail) => {
        count += 1;
        const name = `${Date.now()}-${String(count).padStart(6, '0')}.json`;
        const record = {
          to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
          subject: mail.subject || '',
          text: mail.text || '',
        };
        // Written whole, then renamed: a reader never sees half a message.
        fs.writeFileSync(path.join(dir, `${name}.part`), JSON.stringify(record));
        fs.renameSync(path.join(dir, `${name}.part`), path.join(dir, name));
        callback();
      })
      .catch(callback);
  },
});
server.on('error', (e) => console.error(`mailbox: ${e.message}`));
server.listen(0, '127.0.0.1', () => {
  console.log(`listening on ${server.server.address().port}`);
});
