-- Reserved for another branch's migration (issue 11); replaced by it when the branches are merged.
SELECT 1;
