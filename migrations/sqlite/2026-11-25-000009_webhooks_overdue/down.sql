DROP TABLE webhook_deliveries;
DROP TABLE webhooks;
ALTER TABLE bookings DROP COLUMN overdue_at;
