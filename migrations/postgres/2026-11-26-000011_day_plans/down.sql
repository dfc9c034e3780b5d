DROP TABLE tour_plans;
DROP TABLE vans;
DROP TABLE opening_exceptions;
DROP TABLE opening_hours;
