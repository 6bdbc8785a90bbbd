export type { Campaign, CampaignCreateParams, CampaignListParams, CampaignUpdateParams } from './campaigns';
export { Campaigns } from './campaigns';
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
