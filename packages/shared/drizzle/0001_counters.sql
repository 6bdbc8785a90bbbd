CREATE TABLE `campaign_contact_counts` (
	`campaign_id` text NOT NULL,
	`status` text NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`campaign_id`, `status`)
);
--> statement-breakpoint
CREATE TABLE `campaign_send_counts` (
	`campaign_id` text NOT NULL,
	`step_id` text NOT NULL,
	`variant_id` text NOT NULL,
	`status` text NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`campaign_id`, `step_id`, `variant_id`, `status`)
);
--> statement-breakpoint
CREATE INDEX `contacts_campaign_id` ON `contacts` (`campaign_id`,`id`);--> statement-breakpoint
-- Counters kept by triggers (see db/schema/counters.ts), then filled from the rows already there.
CREATE TRIGGER `contacts_count_insert` AFTER INSERT ON `contacts` BEGIN
  INSERT INTO campaign_contact_counts (campaign_id, status, n) VALUES (new.campaign_id, new.status, 1)
    ON CONFLICT (campaign_id, status) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `contacts_count_delete` AFTER DELETE ON `contacts` BEGIN
  UPDATE campaign_contact_counts SET n = n - 1 WHERE campaign_id = old.campaign_id AND status = old.status;
END;
--> statement-breakpoint
CREATE TRIGGER `contacts_count_update` AFTER UPDATE OF status, campaign_id ON `contacts`
  WHEN old.status IS NOT new.status OR old.campaign_id IS NOT new.campaign_id BEGIN
  UPDATE campaign_contact_counts SET n = n - 1 WHERE campaign_id = old.campaign_id AND status = old.status;
  INSERT INTO campaign_contact_counts (campaign_id, status, n) VALUES (new.campaign_id, new.status, 1)
    ON CONFLICT (campaign_id, status) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `sends_count_insert` AFTER INSERT ON `sends` BEGIN
  INSERT INTO campaign_send_counts (campaign_id, step_id, variant_id, status, n)
    VALUES (new.campaign_id, new.step_id, coalesce(new.variant_id, ''), new.status, 1)
    ON CONFLICT (campaign_id, step_id, variant_id, status) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `sends_count_delete` AFTER DELETE ON `sends` BEGIN
  UPDATE campaign_send_counts SET n = n - 1 WHERE campaign_id = old.campaign_id AND step_id = old.step_id
    AND variant_id = coalesce(old.variant_id, '') AND status = old.status;
END;
--> statement-breakpoint
CREATE TRIGGER `sends_count_update` AFTER UPDATE OF status, campaign_id, step_id, variant_id ON `sends`
  WHEN old.status IS NOT new.status OR old.campaign_id IS NOT new.campaign_id OR old.step_id IS NOT new.step_id
    OR old.variant_id IS NOT new.variant_id BEGIN
  UPDATE campaign_send_counts SET n = n - 1 WHERE campaign_id = old.campaign_id AND step_id = old.step_id
    AND variant_id = coalesce(old.variant_id, '') AND status = old.status;
  INSERT INTO campaign_send_counts (campaign_id, step_id, variant_id, status, n)
    VALUES (new.campaign_id, new.step_id, coalesce(new.variant_id, ''), new.status, 1)
    ON CONFLICT (campaign_id, step_id, variant_id, status) DO UPDATE SET n = n + 1;
END;
--> statement-breakpoint
INSERT INTO campaign_contact_counts (campaign_id, status, n)
  SELECT campaign_id, status, count(*) FROM contacts GROUP BY campaign_id, status;
--> statement-breakpoint
INSERT INTO campaign_send_counts (campaign_id, step_id, variant_id, status, n)
  SELECT campaign_id, step_id, coalesce(variant_id, ''), status, count(*) FROM sends
  GROUP BY campaign_id, step_id, coalesce(variant_id, ''), status;
