CREATE TABLE `subsequence_enrollments` (
	`contact_id` text NOT NULL,
	`subsequence_id` text NOT NULL,
	`campaign_id` text NOT NULL,
	`workspace_id` integer NOT NULL,
	`source` text NOT NULL,
	`thread_id` text,
	`event_id` text NOT NULL,
	`enrolled_at` integer NOT NULL,
	`completed_at` integer,
	PRIMARY KEY(`contact_id`, `subsequence_id`)
);
--> statement-breakpoint
CREATE INDEX `subsequence_enrollments_sub` ON `subsequence_enrollments` (`subsequence_id`,`completed_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `subsequence_enrollments_event` ON `subsequence_enrollments` (`event_id`);--> statement-breakpoint
ALTER TABLE `subsequences` ADD `status` text DEFAULT 'active' NOT NULL;--> statement-breakpoint
ALTER TABLE `subsequences` ADD `updated_at` integer;--> statement-breakpoint
ALTER TABLE `subsequences` ADD `deleted_at` integer;--> statement-breakpoint
-- A contact that completes while in a subsequence has completed that subsequence (stats.subsequences).
CREATE TRIGGER `subsequence_enrollments_completed` AFTER UPDATE OF status ON `contacts`
  WHEN new.status = 'completed' AND old.status IS NOT 'completed' AND new.subsequence_id IS NOT NULL BEGIN
  UPDATE subsequence_enrollments SET completed_at = new.updated_at
    WHERE contact_id = new.id AND subsequence_id = new.subsequence_id AND completed_at IS NULL;
END;
