export { OUTREACH_BIN, type RunningOutreach, type StartOutreachOptions, startOutreach } from './cli';
export { dovecotInstalled, startDovecot, type TestDovecot } from './dovecot';
export {
  type ReceivedRequest,
  type ReceiverHandler,
  type ReceiverResponse,
  startReceiver,
  type TestReceiver,
} from './http-receiver';
export {
  type RcptBehaviour,
  type RcptEvent,
  type RcptOutcome,
  type ReceivedMessage,
  type SmtpServerOptions,
  startSmtpServer,
  type TestSmtpServer,
} from './smtp';
export { freePort, removeTempDir, sleep, tempDir } from './util';
