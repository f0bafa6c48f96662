import { registry } from "@web/core/registry";

// A bidder registers for a procedure, downloads the tender document, asks a question, submits a
// sealed bid and sees its signed receipt (the procedure and the bidder's login are prepared by the test).
registry.category("web_tour.tours").add("city_resource_trading_bidder", {
    url: "/my/trading",
    steps: () => [
        {
            content: "Open the procedure",
            trigger: "tr.o_trading_row a:contains('江北污水泵站改造工程')",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Register the organisation",
            trigger: "button.o_trading_register",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The organisation is registered",
            trigger: ".o_trading_registered",
        },
        {
            content: "Download the tender document",
            trigger: "a.o_trading_document",
            run: "click",
        },
        {
            content: "Write a question",
            trigger: "textarea#question",
            run: "edit 工期是否包含冬季停工期？",
        },
        {
            content: "Send the question",
            trigger: "button.o_trading_ask",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The question was sent",
            trigger: ".o_trading_message",
        },
        {
            content: "Enter the price",
            trigger: "form.o_trading_bid_form input#price",
            run: "edit 3210000",
        },
        {
            content: "Attach the bid file",
            trigger: "form.o_trading_bid_form input#bid_files",
            run() {
                const transfer = new DataTransfer();
                transfer.items.add(new File(["%PDF-1.4 tour bid"], "投标文件.pdf", { type: "application/pdf" }));
                this.anchor.files = transfer.files;
            },
        },
        {
            content: "Enter the contact phone",
            trigger: "form.o_trading_bid_form input#contact_phone",
            run: "edit 13904328888",
        },
        {
            content: "Seal and submit the bid",
            trigger: "button.o_trading_submit_bid",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The bid is listed with its signed receipt",
            trigger: "table.o_trading_my_bids .o_trading_signature:not(:empty)",
        },
        {
            content: "The receipt can be opened",
            trigger: "table.o_trading_my_bids a.o_trading_receipt",
        },
    ],
});
