import { describe, expect, it } from 'vitest';
import { SyslogTail } from '../../../lib/sinks/syslog/syslog-tail.js';

const frame = (text: string) => Buffer.from(text, 'utf8');
const texts = (frames: readonly Buffer[]) => frames.map((item) => item.toString('utf8'));

describe('SyslogTail', () => {
  it('owes nothing while the connection holds', () => {
    const tail = new SyslogTail(100);
    tail.written([frame('a'), frame('b')]);
    expect(tail.hasPending()).toBe(false);
    expect(tail.pendingResend()).toEqual([]);
  });

  it('owes the latest frames within the budget after a drop, in order', () => {
    const tail = new SyslogTail(6);
    tail.written([frame('aaa'), frame('bb')]);
    tail.written([frame('cc')]);
    tail.written([frame('dd')]);
    tail.connectionDropped();
    expect(texts(tail.pendingResend())).toEqual(['bb', 'cc', 'dd']);
    tail.connectionDropped();
    expect(texts(tail.pendingResend())).toEqual(['bb', 'cc', 'dd']);
  });

  it('keeps the whole latest write, however large, since a drop may cut it anywhere', () => {
    const tail = new SyslogTail(4);
    tail.written([frame('old')]);
    tail.written([frame('aaa'), frame('bbb'), frame('ccc')]);
    tail.connectionDropped();
    expect(texts(tail.pendingResend())).toEqual(['aaa', 'bbb', 'ccc']);
  });

  it('keeps owing a tail across a second drop until it is written, then forgets it', () => {
    const tail = new SyslogTail(10);
    tail.written([frame('a')]);
    tail.connectionDropped();
    tail.written([]);
    tail.connectionDropped();
    expect(texts(tail.pendingResend())).toEqual(['a']);
    tail.resent();
    expect(tail.hasPending()).toBe(false);
  });

  it('keeps only the latest write with a budget of 0', () => {
    const tail = new SyslogTail(0);
    tail.written([frame('a')]);
    tail.written([frame('b')]);
    tail.connectionDropped();
    expect(texts(tail.pendingResend())).toEqual(['b']);
  });
});
