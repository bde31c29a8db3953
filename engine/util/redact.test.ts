import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskSecrets, maskUrlPassword, redactText, redactUrl, withoutCredentials } from './redact';

describe('redaction', () => {
  it('masks the password of a URL and keeps the rest as written', () => {
    assert.equal(redactUrl('redis://:s3cret@db.example:6379/2'), 'redis://***@db.example:6379/2');
    assert.equal(redactUrl('rediss://app:s3cret@db.example:6380'), 'rediss://app:***@db.example:6380');
    assert.equal(
      redactUrl('redis://token@db.example:6379'),
      'redis://***@db.example:6379',
      "a Redis URL's lone user is a token",
    );
    assert.equal(redactUrl('redis://127.0.0.1:6379'), 'redis://127.0.0.1:6379');
    assert.equal(redactUrl('postgres://app:pa%40ss@db:5432/x'), 'postgres://app:***@db:5432/x');
    assert.equal(redactUrl('postgres://app@db:5432/x'), 'postgres://app@db:5432/x', 'a user name alone is no secret');
    assert.equal(redactUrl('http://key:secret@127.0.0.1:9000'), 'http://key:***@127.0.0.1:9000/');
  });

  it('masks credentials in free text, whatever they hold, and what does not parse', () => {
    const text = 'connect to postgres://app:p@ss@db:5432/x failed; redis://:tok@r:1 too; see ?password=hunter2&x=1';
    const out = redactText(text);
    for (const secret of ['p@ss', 'ss@db', 'tok', 'hunter2']) assert.ok(!out.includes(secret), `${secret} in ${out}`);
    assert.match(out, /postgres:\/\/app:\*\*\*@db:5432\/x/);
    assert.match(out, /redis:\/\/\*\*\*@r:1/);
    assert.equal(redactUrl('not a url://u:pw@h'), 'not a url://u:***@h');
    assert.equal(
      redactText('mail admin@example.com about http://host:80/x'),
      'mail admin@example.com about http://host:80/x',
    );
  });

  it('takes given secrets out of text, raw and percent-decoded', () => {
    assert.equal(maskSecrets('denied for pa@ss and pa%40ss', 'pa%40ss'), 'denied for *** and ***');
    assert.equal(maskSecrets('nothing to hide', undefined, ''), 'nothing to hide');
    assert.equal(maskSecrets('bad % escape k%zz', 'k%zz'), 'bad % escape ***');
    assert.equal(maskUrlPassword('login failed: pw1', 'postgres://u:pw1@h/db'), 'login failed: ***');
    assert.equal(maskUrlPassword('at postgres://u:pw1@[bad', 'postgres://u:pw1@[bad'), 'at (unparseable URL)');
  });

  it('names a server without its user and password', () => {
    assert.equal(withoutCredentials('http://AKIA:secret@127.0.0.1:9000/'), 'http://127.0.0.1:9000');
    assert.equal(withoutCredentials('garbage://a:b@'), 'garbage://a:***@');
  });
});
