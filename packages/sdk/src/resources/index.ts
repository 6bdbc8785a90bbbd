export type { ApiKey, ApiKeyCreated, ApiKeyCreateParams } from './api-keys';
export { ApiKeys } from './api-keys';
export type {
  CampaignMailbox,
  CampaignMailboxCreateParams,
  CampaignMailboxUpdateParams,
  MailboxPreflightItem,
} from './campaign-mailboxes';
export { CampaignMailboxes } from './campaign-mailboxes';
export type {
  Campaign,
  CampaignCreateParams,
  CampaignListParams,
  CampaignUpdateParams,
  Launched,
  LaunchParams,
  LaunchQueued,
  Preflight,
  PreflightCheck,
  ScheduleParams,
  StopRulesParams,
} from './campaigns';
export { Campaigns } from './campaigns';
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
export type { CampaignStats, CsvExportKind, ExportKind, ExportSummary } from './exports';
export type {
  ColumnMapping,
  ImportCreated,
  ImportQueued,
  ImportState,
  ImportStatus,
  ImportWaitOptions,
  MappingPreview,
} from './imports';
export { Imports } from './imports';
export type { Classification } from './inbox';
export { Inbox } from './inbox';
export type { LaunchJob, WaitOptions } from './launch-jobs';
export { LaunchJobs } from './launch-jobs';
export type { Mailbox, MailboxCreateParams, MailboxListParams, MailboxUpdateParams } from './mailboxes';
export { Mailboxes } from './mailboxes';
export type { Send, SendListParams, SendStatus } from './sends';
export { Sends } from './sends';
export type {
  Step,
  StepCreateParams,
  StepPreview,
  StepPreviewParams,
  StepUpdateParams,
  Variant,
} from './steps';
export { Steps } from './steps';
export type {
  EnrollResult,
  RoutingPolicy,
  RoutingRule,
  Subsequence,
  SubsequenceCreateParams,
  SubsequenceStats,
  SubsequenceUpdateParams,
} from './subsequences';
export { SubsequenceSteps, Subsequences } from './subsequences';
export type {
  Suppression,
  SuppressionAddParams,
  SuppressionAddResult,
  SuppressionListParams,
  SuppressionStatus,
} from './suppressions';
export { Suppressions } from './suppressions';
export type {
  ReplyIntent,
  Thread,
  ThreadListParams,
  ThreadMessage,
  ThreadMessages,
  ThreadReplyParams,
} from './threads';
export { Threads } from './threads';
export type {
  LoggedEvent,
  WebhookDelivery,
  WebhookEventListParams,
  WebhookSubscription,
  WebhookSubscriptionCreateParams,
  WebhookSubscriptionUpdateParams,
  WebhookSubscriptionWithSecret,
} from './webhooks';
export { Webhooks } from './webhooks';
export type { Workspace, WorkspaceCreateParams } from './workspaces';
export { Workspaces } from './workspaces';
