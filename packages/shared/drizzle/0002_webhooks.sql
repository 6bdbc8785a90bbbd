CREATE TABLE `webhook_cursors` (
	`name` text PRIMARY KEY NOT NULL,
	`position` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `webhook_deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` integer NOT NULL,
	`subscription_id` text NOT NULL,
	`event_id` text NOT NULL,
	`event_type` text NOT NULL,
	`event_seq` integer NOT NULL,
	`payload` text NOT NULL,
	`status` text NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`next_attempt_at` integer,
	`last_attempt_at` integer,
	`response_status` integer,
	`response_body_snippet` text,
	`duration_ms` integer,
	`error` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_deliveries_sub_event` ON `webhook_deliveries` (`subscription_id`,`event_id`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_queue` ON `webhook_deliveries` (`subscription_id`,`status`,`event_seq`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_sub_id` ON `webhook_deliveries` (`subscription_id`,`id`);--> statement-breakpoint
CREATE INDEX `webhook_deliveries_settled` ON `webhook_deliveries` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `webhook_event_seq` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`event_id` text NOT NULL
);
--> statement-breakpoint
CREATE TABLE `webhook_subscriptions` (
	`id` text PRIMARY KEY NOT NULL,
	`workspace_id` integer NOT NULL,
	`endpoint` text NOT NULL,
	`event_types` text NOT NULL,
	`reply_intents` text NOT NULL,
	`campaign_ids` text NOT NULL,
	`ignore_ooo` integer NOT NULL,
	`ignore_auto_reply` integer NOT NULL,
	`status` text NOT NULL,
	`secret` text NOT NULL,
	`previous_secret` text,
	`previous_secret_until` integer,
	`from_seq` integer NOT NULL,
	`failing_since` integer,
	`disabled_reason` text,
	`lease_id` text,
	`lease_until` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `webhook_subscriptions_workspace` ON `webhook_subscriptions` (`workspace_id`,`id`);--> statement-breakpoint
CREATE TRIGGER `events_webhook_seq` AFTER INSERT ON `events` BEGIN INSERT INTO `webhook_event_seq` (`event_id`) VALUES (NEW.`id`); END;--> statement-breakpoint
INSERT INTO `webhook_cursors` (`name`, `position`, `updated_at`) VALUES ('fanout', 0, 0);
