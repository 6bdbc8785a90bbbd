export type { Campaign, CampaignCreateParams, CampaignListParams, CampaignUpdateParams } from './campaigns';
export { Campaigns } from './campaigns';
export type {
  LaunchParams,
  LaunchQueued,
  Launched,
  Preflight,
  PreflightCheck,
  ScheduleParams,
  StopRulesParams,
} from './campaigns';
export type {
  CampaignMailbox,
  CampaignMailboxCreateParams,
  CampaignMailboxUpdateParams,
  MailboxPreflightItem,
} from './campaign-mailboxes';
export { CampaignMailboxes } from './campaign-mailboxes';
export type { Mailbox, MailboxCreateParams, MailboxListParams, MailboxUpdateParams } from './mailboxes';
export { Mailboxes } from './mailboxes';
export type { LaunchJob, WaitOptions } from './launch-jobs';
export { LaunchJobs } from './launch-jobs';
export type {
  Step,
  StepCreateParams,
  StepPreview,
  StepPreviewParams,
  StepUpdateParams,
  Variant,
} from './steps';
export { Steps } from './steps';
export type { CampaignStats, CsvExportKind, ExportKind, ExportSummary } from './exports';
export type { Send, SendListParams, SendStatus } from './sends';
export { Sends } from './sends';
export type {
  Contact,
  ContactChange,
  ContactChangesParams,
  ContactInput,
  ContactListParams,
  ContactStatus,
  ContactUpdateParams,
  ImportCounts,
  Uploadable,
} from './contacts';
export { Contacts } from './contacts';
export type { ColumnMapping, ImportCreated, ImportQueued, ImportState, ImportStatus, ImportWaitOptions, MappingPreview } from './imports';
export { Imports } from './imports';
export type {
  Suppression,
  SuppressionAddParams,
  SuppressionAddResult,
  SuppressionListParams,
  SuppressionStatus,
} from './suppressions';
export { Suppressions } from './suppressions';
