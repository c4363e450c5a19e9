import type { Mailer } from '../../delivery/ports.js';
import { MailError } from '../../delivery/mailer.js';
import { escapeHtml } from '../../render/templates.js';
import type { AlertMessage } from '../message.js';
import { ChannelError, type ChannelSender } from './types.js';

/** The e-mail of one notification: a short text and HTML body, the subject is the title. */
export function emailBody(m: AlertMessage): { text: string; html: string } {
  const facts = m.facts.map((f) => `${f.name}: ${f.value}`);
  const text = [m.summary, '', ...facts, ...(m.link ? ['', m.link] : [])].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif"><h2>${escapeHtml(m.title)}</h2><p>${escapeHtml(m.summary)}</p>`
    + (m.facts.length ? `<table>${m.facts.map((f) => `<tr><th align="left">${escapeHtml(f.name)}</th><td>${escapeHtml(f.value)}</td></tr>`).join('')}</table>` : '')
    + (m.link ? `<p><a href="${escapeHtml(m.link)}">Open the report</a></p>` : '')
    + '</body></html>';
  return { text, html };
}

/** E-mail through the existing mailer (SMTP_URL or the outbox); the Message-ID is the notification's. */
export function emailSender(mailer: Mailer, from: string): ChannelSender {
  return {
    async send(target, msg, opts) {
      try {
        const out = await mailer.send({
          runId: opts.seq, to: target.address, from, subject: msg.title, messageId: opts.id, date: Date.parse(msg.at),
          content: emailBody(msg), headers: { 'X-Psa-Alert': msg.alertKey.replace(/[\r\n]/g, ' ') }, tag: 'alert',
        }, { signal: opts.signal });
        return { response: out.response };
      } catch (e) {
        if (e instanceof MailError) throw new ChannelError(e.message, e.transient);
        throw e;
      }
    },
  };
}
