CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` integer NOT NULL,
	`name` text,
	`hash` text NOT NULL,
	`prefix` text NOT NULL,
	`last4` text NOT NULL,
	`expires_at` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `api_keys_hash` ON `api_keys` (`hash`);--> statement-breakpoint
CREATE INDEX `api_keys_workspace` ON `api_keys` (`workspace_id`,`id`);--> statement-breakpoint
CREATE TABLE `cron_runs` (
	`task` text NOT NULL,
	`run_at` integer NOT NULL,
	`worker` text,
	PRIMARY KEY(`task`, `run_at`)
);
--> statement-breakpoint
CREATE TABLE `events` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` integer NOT NULL,
	`type` text NOT NULL,
	`campaign_id` text,
	`contact_id` text,
	`data` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `events_workspace` ON `events` (`workspace_id`,`id`);--> statement-breakpoint
CREATE INDEX `events_campaign_type` ON `events` (`campaign_id`,`type`,`created_at`,`id`);--> statement-breakpoint
CREATE INDEX `events_contact` ON `events` (`contact_id`,`id`) WHERE contact_id IS NOT NULL;--> statement-breakpoint
CREATE TABLE `idempotency_keys` (
	`workspace_id` integer NOT NULL,
	`key` text NOT NULL,
	`fingerprint` text NOT NULL,
	`status` integer,
	`response_body` text,
	`content_type` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`workspace_id`, `key`)
);
--> statement-breakpoint
CREATE INDEX `idempotency_created` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE TABLE `workspaces` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_name` text NOT NULL,
	`description` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `campaigns` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` integer NOT NULL,
	`name` text NOT NULL,
	`priority` text NOT NULL,
	`status` text NOT NULL,
	`schedule` text,
	`stop_rules` text NOT NULL,
	`routing_policy` text,
	`launched_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `campaigns_workspace` ON `campaigns` (`workspace_id`,`id`);--> statement-breakpoint
CREATE INDEX `campaigns_status` ON `campaigns` (`status`);--> statement-breakpoint
CREATE TABLE `steps` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`subsequence_id` text,
	`position` integer NOT NULL,
	`subject` text NOT NULL,
	`body_html` text NOT NULL,
	`body_text` text,
	`delay_seconds` integer NOT NULL,
	`variants` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `steps_campaign` ON `steps` (`campaign_id`,`position`);--> statement-breakpoint
CREATE TABLE `subsequences` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`name` text NOT NULL,
	`enrollment_mode` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subsequences_campaign` ON `subsequences` (`campaign_id`,`id`);--> statement-breakpoint
CREATE TABLE `contacts` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` integer NOT NULL,
	`campaign_id` text NOT NULL,
	`email` text NOT NULL,
	`first_name` text,
	`last_name` text,
	`custom_json` text NOT NULL,
	`status` text NOT NULL,
	`current_step` integer DEFAULT 0 NOT NULL,
	`subsequence_id` text,
	`mailbox_id` text,
	`next_send_at` integer,
	`last_sent_at` integer,
	`enrolled_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `contacts_campaign_email` ON `contacts` (`campaign_id`,`email`);--> statement-breakpoint
CREATE INDEX `contacts_campaign_status` ON `contacts` (`campaign_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `contacts_workspace_email` ON `contacts` (`workspace_id`,`email`);--> statement-breakpoint
CREATE INDEX `contacts_due` ON `contacts` (`next_send_at`) WHERE status = 'active';--> statement-breakpoint
CREATE INDEX `contacts_dispatch` ON `contacts` (`campaign_id`,`mailbox_id`,`next_send_at`) WHERE status = 'active';--> statement-breakpoint
CREATE TABLE `import_chunks` (
	`import_id` text NOT NULL,
	`seq` integer NOT NULL,
	`data` blob NOT NULL,
	PRIMARY KEY(`import_id`, `seq`)
);
--> statement-breakpoint
CREATE TABLE `imports` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` integer NOT NULL,
	`campaign_id` text NOT NULL,
	`status` text NOT NULL,
	`file_name` text,
	`file_bytes` integer NOT NULL,
	`columns` text NOT NULL,
	`sample_rows` text NOT NULL,
	`mapping` text,
	`total_rows` integer DEFAULT 0 NOT NULL,
	`processed_rows` integer DEFAULT 0 NOT NULL,
	`processed_bytes` integer DEFAULT 0 NOT NULL,
	`imported` integer DEFAULT 0 NOT NULL,
	`invalid` integer DEFAULT 0 NOT NULL,
	`errors` text NOT NULL,
	`error` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `imports_workspace` ON `imports` (`workspace_id`,`id`);--> statement-breakpoint
CREATE TABLE `suppressions` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` integer NOT NULL,
	`kind` text NOT NULL,
	`value` text NOT NULL,
	`reason` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `suppressions_value` ON `suppressions` (`workspace_id`,`kind`,`value`);--> statement-breakpoint
CREATE INDEX `suppressions_list` ON `suppressions` (`workspace_id`,`id`);--> statement-breakpoint
CREATE TABLE `campaign_mailboxes` (
	`id` text PRIMARY KEY NOT NULL,
	`campaign_id` text NOT NULL,
	`mailbox_id` text NOT NULL,
	`weight` integer NOT NULL,
	`state` text NOT NULL,
	`daily_limit` integer NOT NULL,
	`gap_base_seconds` integer NOT NULL,
	`gap_jitter_seconds` integer NOT NULL,
	`next_available_at` integer DEFAULT 0 NOT NULL,
	`assigned_contacts` integer DEFAULT 0 NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `campaign_mailboxes_pair` ON `campaign_mailboxes` (`campaign_id`,`mailbox_id`);--> statement-breakpoint
CREATE INDEX `campaign_mailboxes_mailbox` ON `campaign_mailboxes` (`mailbox_id`);--> statement-breakpoint
CREATE TABLE `mailboxes` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` integer NOT NULL,
	`address` text NOT NULL,
	`first_name` text NOT NULL,
	`last_name` text,
	`signature_html` text,
	`daily_limit` integer NOT NULL,
	`status` text NOT NULL,
	`smtp` text NOT NULL,
	`smtp_password` text NOT NULL,
	`imap` text NOT NULL,
	`imap_password` text NOT NULL,
	`last_check` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `mailboxes_address` ON `mailboxes` (`workspace_id`,`address`);--> statement-breakpoint
CREATE INDEX `mailboxes_list` ON `mailboxes` (`workspace_id`,`id`);--> statement-breakpoint
CREATE TABLE `jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` integer NOT NULL,
	`kind` text NOT NULL,
	`ref_id` text,
	`payload` text NOT NULL,
	`state` text NOT NULL,
	`priority` integer DEFAULT 0 NOT NULL,
	`run_at` integer NOT NULL,
	`lease_id` text,
	`lease_until` integer,
	`attempts` integer DEFAULT 0 NOT NULL,
	`max_attempts` integer DEFAULT 5 NOT NULL,
	`error` text,
	`result` text,
	`created_at` integer NOT NULL,
	`finished_at` integer
);
--> statement-breakpoint
CREATE INDEX `jobs_claim` ON `jobs` (`state`,`run_at`);--> statement-breakpoint
CREATE INDEX `jobs_ref` ON `jobs` (`kind`,`ref_id`);--> statement-breakpoint
CREATE TABLE `sends` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` integer NOT NULL,
	`campaign_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`step_id` text NOT NULL,
	`variant_id` text,
	`mailbox_id` text NOT NULL,
	`campaign_mailbox_id` text NOT NULL,
	`to_email` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`scheduled_at` integer NOT NULL,
	`sent_at` integer,
	`message_id` text NOT NULL,
	`error` text,
	`lease_id` text,
	`lease_until` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sends_contact_step` ON `sends` (`contact_id`,`step_id`);--> statement-breakpoint
CREATE INDEX `sends_campaign` ON `sends` (`campaign_id`,`id`);--> statement-breakpoint
CREATE INDEX `sends_campaign_status` ON `sends` (`campaign_id`,`status`,`id`);--> statement-breakpoint
CREATE INDEX `sends_mailbox_time` ON `sends` (`mailbox_id`,`scheduled_at`);--> statement-breakpoint
CREATE INDEX `sends_cmb_time` ON `sends` (`campaign_mailbox_id`,`scheduled_at`);--> statement-breakpoint
CREATE INDEX `sends_message_id` ON `sends` (`message_id`);--> statement-breakpoint
CREATE INDEX `sends_status_lease` ON `sends` (`status`,`lease_until`);