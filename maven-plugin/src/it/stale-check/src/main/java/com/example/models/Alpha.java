package com.example.models;

// Checked in long ago; the spec has changed since.
public final class Alpha {}
