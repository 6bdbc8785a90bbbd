CREATE TABLE `imap_folders` (
	`mailbox_id` text NOT NULL,
	`path` text NOT NULL,
	`uid_validity` text NOT NULL,
	`last_uid` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`mailbox_id`, `path`)
);
--> statement-breakpoint
CREATE TABLE `mailbox_inbox` (
	`mailbox_id` text PRIMARY KEY NOT NULL,
	`workspace_id` integer NOT NULL,
	`last_read_at` integer,
	`last_error` text,
	`messages_seen` integer DEFAULT 0 NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `messages` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` integer NOT NULL,
	`thread_id` text NOT NULL,
	`mailbox_id` text NOT NULL,
	`direction` text NOT NULL,
	`kind` text,
	`message_id` text NOT NULL,
	`in_reply_to` text,
	`references` text NOT NULL,
	`from_email` text NOT NULL,
	`to_emails` text NOT NULL,
	`cc_emails` text NOT NULL,
	`subject` text NOT NULL,
	`body_text` text,
	`body_html` text,
	`text` text,
	`reply_intent` text,
	`reasons` text NOT NULL,
	`send_id` text,
	`status` text NOT NULL,
	`error` text,
	`request_key` text,
	`date_received` integer NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_mailbox_message_id` ON `messages` (`mailbox_id`,`message_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `messages_request_key` ON `messages` (`thread_id`,`request_key`);--> statement-breakpoint
CREATE INDEX `messages_thread` ON `messages` (`thread_id`,`date_received`,`id`);--> statement-breakpoint
CREATE INDEX `messages_mailbox_out` ON `messages` (`mailbox_id`,`direction`,`created_at`);--> statement-breakpoint
CREATE TABLE `threads` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` integer NOT NULL,
	`campaign_id` text NOT NULL,
	`contact_id` text NOT NULL,
	`mailbox_id` text NOT NULL,
	`external_thread_id` text NOT NULL,
	`subject` text NOT NULL,
	`subject_display` text NOT NULL,
	`reply_intent` text,
	`is_ooo` integer DEFAULT false NOT NULL,
	`is_auto_reply` integer DEFAULT false NOT NULL,
	`message_count` integer DEFAULT 0 NOT NULL,
	`last_from_email` text,
	`last_at` integer,
	`last_body_text` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `threads_contact_mailbox` ON `threads` (`contact_id`,`mailbox_id`);--> statement-breakpoint
CREATE INDEX `threads_list` ON `threads` (`workspace_id`,`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `threads_intent` ON `threads` (`workspace_id`,`reply_intent`,`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `threads_campaign` ON `threads` (`campaign_id`,`updated_at`,`id`);--> statement-breakpoint
CREATE INDEX `threads_mailbox` ON `threads` (`mailbox_id`,`updated_at`,`id`);--> statement-breakpoint
ALTER TABLE `contacts` ADD `hold_until` integer;