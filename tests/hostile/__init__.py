"""The hostile-input corpus (issue #5): inputs a grader of untrusted submissions must survive."""
