-- placeholder: the store's first migration is being written
SELECT 1;
